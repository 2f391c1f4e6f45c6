"""Device provisioning adapters: the API client for PROVISIONING_MODE=api (api_client.py);
assisted mode works through TAC's CSV upload and code export instead."""
