export { usePresence, presenceReducer, type PresenceActions } from './usePresence';
export { OnlineUsers } from './components/OnlineUsers';
