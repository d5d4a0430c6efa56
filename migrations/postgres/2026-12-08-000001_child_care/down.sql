DROP TABLE authorised_collectors;
DROP TABLE emergency_contacts;
ALTER TABLE children DROP COLUMN additional_needs;
ALTER TABLE children DROP COLUMN medicines_consent_date;
ALTER TABLE children DROP COLUMN medicines_consent;
ALTER TABLE children DROP COLUMN medicines;
ALTER TABLE children DROP COLUMN medical_needs;
ALTER TABLE children DROP COLUMN dietary_needs;
ALTER TABLE children DROP COLUMN allergies;
