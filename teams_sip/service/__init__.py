"""The service layer: use cases that the CLI, the Functions app and the local server all call."""
