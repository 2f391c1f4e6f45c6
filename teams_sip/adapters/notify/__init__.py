"""Notifier and artefact adapters: an output folder (embedded default), Graph sendMail, blobs."""
