-- Run once by the postgres image at its first start: a database per instance.
CREATE DATABASE switchboard_1 OWNER switchboard;
CREATE DATABASE switchboard_2 OWNER switchboard;
