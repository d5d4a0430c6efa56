DROP TABLE children;
DROP TABLE families;
