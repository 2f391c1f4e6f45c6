"""A simulated Microsoft 365 tenant: Entra token endpoint, the Graph subset we use, device provisioning."""
