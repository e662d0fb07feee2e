"""Cramp Coach: an Alexa skill with calm, hands-free tips for cramps in pregnancy."""

__version__ = "0.1.0"
