-- One server, two databases: Airflow's metadata and the commissions warehouse.
-- The passwords are psql variables set by postgres-init.sh from the same variables
-- (AIRFLOW_DB_PASSWORD, WAREHOUSE_PASSWORD) that docker-compose.yml gives the services.
create user airflow with password :'airflow_password';
create database airflow owner airflow;
create user commissions with password :'warehouse_password';
create database commissions owner commissions;
