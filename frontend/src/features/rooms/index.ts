export { RoomList } from './components/RoomList';
export { EnterRoomForm } from './components/EnterRoomForm';
export { useRoomEntry, type RoomEntry } from './hooks/useRoomEntry';
