"""Certificates as W3C Verifiable Credentials (data model 2.0), secured with JOSE (VC-JOSE-COSE: a compact
JWS with `typ: vc+jwt`) by the platform's signing key, with Bitstring Status Lists that publish
revocation and suspension so that any verifier can check a credential without asking about it."""
