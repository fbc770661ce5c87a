"""The HTTP edge: problem documents, content negotiation, conditional requests, the response
cache, the middleware and the server protocol. Routes and the app factory use it; it does not
import routes or queries (conditional.py reads the data version through queries.meta)."""
