"""Tools for people: the command line, local understanding, checks, review, publishing, the Lambda build.

Nothing that answers a request at run time imports these.
"""
