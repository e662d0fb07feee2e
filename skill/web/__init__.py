"""The HTTPS web service: app factory, Amazon's request verification, gunicorn, the request log, the console.

Imported only by ``cramp-coach serve`` and its tests; Lambda never loads it.
"""
