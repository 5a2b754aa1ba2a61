export { AuthProvider, type AuthState } from './AuthProvider';
export { useAuth, useUsername } from './useAuth';
export { AuthForm } from './components/AuthForm';
