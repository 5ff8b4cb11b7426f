// Joining a room over REST (with its password when it has one).
import { post, ApiError } from './api.js';
import { idOf } from './messages.js';

export const isParticipant = (room, userId) => (room?.participants || []).some((p) => idOf(p) === userId);

// Returns null on success, else a message to show. A wrong password is a 401 that must not end
// the session.
export async function joinRoom(roomId, password) {
  try {
    await post(`/api/rooms/${roomId}/join`, password === undefined ? {} : { password }, { allow401: true });
    return null;
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    return 'Could not join the room.';
  }
}
