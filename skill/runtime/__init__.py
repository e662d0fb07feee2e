"""What answers a request, on Lambda and behind the web service alike.

Nothing here imports Flask, click, gunicorn, the signature verifier or people's tools, so the
Lambda bundle ships only this sub-package (with ``lambda_function.py`` and the data folders).
"""
