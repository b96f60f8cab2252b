"""The video domain: what a user asks for, what is stored, and the API over it."""
