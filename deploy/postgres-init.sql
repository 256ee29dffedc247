-- One server, two databases: Airflow's metadata and the commissions warehouse.
create user airflow with password 'airflow';
create database airflow owner airflow;
create user commissions with password 'commissions';
create database commissions owner commissions;
