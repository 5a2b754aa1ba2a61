export { RoomList } from './components/RoomList';
export { SidebarRooms } from './components/SidebarRooms';
export { EnterRoomForm } from './components/EnterRoomForm';
export { useRooms, type RoomsState } from './hooks/useRooms';
export { useRoomEntry, type RoomEntry } from './hooks/useRoomEntry';
