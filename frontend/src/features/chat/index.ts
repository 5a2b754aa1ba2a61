export { useTimeline, type TimelineActions } from './hooks/useTimeline';
export { useConversations, type ConversationActions } from './hooks/useConversations';
export { MessageList } from './components/MessageList';
export { Composer } from './components/Composer';
export { ConnectionBanner } from './components/ConnectionBanner';
export { ConversationList } from './components/ConversationList';
export { ConversationView } from './components/ConversationView';
export type { PendingMessage } from './components/MessageItem';
