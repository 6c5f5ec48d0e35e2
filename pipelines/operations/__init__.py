"""Running the warehouse unattended: extract fingerprints for the sensor, failure records and
alerts, retries for transient failures, and the quarterly sign-off of reported figures."""
