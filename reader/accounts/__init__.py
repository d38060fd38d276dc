"""Feed servers the user keeps an account on (Fever API today), synced into the library.

A source of stories is either a feed we fetch or an account we sync; `server.FeedServer` is the
one interface a protocol implements, so the UI and the library never learn which protocol it is.
"""
