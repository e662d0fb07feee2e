"""What Cramp Coach is measured against: a minimal skill on the plain ask-sdk-core, and bare Flask."""
