// A user's role: an admin manages everything, a user their own channels.
export type Role = "admin" | "user";
