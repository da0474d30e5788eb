"""Network clients for the event warehouse: UCDP downloads, the UCDP API and the ACLED API.

Each client fetches raw source files (or writes API rows as CSV in the source's own layout) so
that the ingest engine reads a fetched file exactly like a file the user downloaded by hand.
Nothing here parses or harmonises events; that is ``sahel.events``' job.

Submodules are imported on demand (``from sahel.events.clients.ucdp_api import UcdpApiClient``)
so that importing the package costs nothing and pulls in no HTTP machinery.
"""
