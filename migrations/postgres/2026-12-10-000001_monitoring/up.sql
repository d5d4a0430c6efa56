-- Monitoring that funders ask for (issue 19): who is reached, from where, and how deprived.

-- Profile answers a family gives about itself, all optional and self-identified, in a table of
-- their own (special-category data, read only by the profile and the report). Each holds one of
-- the answer's values, 'prefer_not_to_say', or 'not_asked' (a family without a row was never
-- asked). Kept on erasure as statistics: with the names and contacts gone nothing here
-- identifies anyone, and the figures must not change. Per attending carer (carer_one,
-- carer_two): mother, father or other_carer; the year of birth only (teenage parents), four
-- digits; whether the carer has a disability.
CREATE TABLE family_monitoring (
    id SERIAL PRIMARY KEY,
    family_id INTEGER NOT NULL UNIQUE REFERENCES families (id) ON DELETE CASCADE,
    -- How many carers the answers are about (kept on erasure, which blanks the names).
    carers INTEGER NOT NULL DEFAULT 1 CHECK (carers IN (1, 2)),
    ethnicity TEXT NOT NULL DEFAULT 'not_asked',
    first_language TEXT NOT NULL DEFAULT 'not_asked',
    english_additional TEXT NOT NULL DEFAULT 'not_asked',
    lone_parent TEXT NOT NULL DEFAULT 'not_asked',
    carer_one_role TEXT NOT NULL DEFAULT 'not_asked',
    carer_two_role TEXT NOT NULL DEFAULT 'not_asked',
    carer_one_birth_year TEXT NOT NULL DEFAULT 'not_asked',
    carer_two_birth_year TEXT NOT NULL DEFAULT 'not_asked',
    carer_one_disability TEXT NOT NULL DEFAULT 'not_asked',
    carer_two_disability TEXT NOT NULL DEFAULT 'not_asked'
);

-- Derived from the postcode when the geography is loaded: the LSOA (of the IMD edition's
-- census) and its IMD decile (1 = the 10% most deprived). Kept on erasure; the postcode is not.
ALTER TABLE families ADD COLUMN lsoa TEXT NOT NULL DEFAULT '';
ALTER TABLE families ADD COLUMN imd_decile INTEGER CHECK (imd_decile BETWEEN 1 AND 10);

-- A child's special educational needs or disability, as the family says (yes, no,
-- prefer_not_to_say, not_asked): the monitoring answer, apart from the crèche's care notes.
ALTER TABLE children ADD COLUMN send TEXT NOT NULL DEFAULT 'not_asked';

ALTER TABLE venues ADD COLUMN lsoa TEXT NOT NULL DEFAULT '';
ALTER TABLE venues ADD COLUMN imd_decile INTEGER CHECK (imd_decile BETWEEN 1 AND 10);

-- The public geography a deployment serves, loaded by `groupwork import-geography` from the ONS
-- Postcode Directory, the ward names file, the English Indices of Deprivation and a ward
-- population file (Open Government Licence). A new edition replaces the old in one transaction.
-- Postcodes in their stored form (`SW9 8LF`), with the ward's code and the LSOA of the IMD
-- edition's census (2021 LSOAs for IMD 2025; never mixed with 2011 codes).
CREATE TABLE geography_postcodes (
    postcode TEXT PRIMARY KEY NOT NULL,
    local_authority TEXT NOT NULL,
    ward_code TEXT NOT NULL,
    lsoa TEXT NOT NULL
);
-- Wards by their ONS code, with the key families and venues store (`lambeth-2022:Stockwell East`)
-- and the under-five population when loaded.
CREATE TABLE geography_wards (
    ward_code TEXT PRIMARY KEY NOT NULL,
    ward TEXT NOT NULL,
    under_fives INTEGER CHECK (under_fives >= 0)
);
CREATE INDEX geography_wards_ward ON geography_wards (ward);
CREATE TABLE geography_lsoas (
    lsoa TEXT PRIMARY KEY NOT NULL,
    imd_decile INTEGER NOT NULL CHECK (imd_decile BETWEEN 1 AND 10)
);
-- Postcode sectors (`SE5 9`) that hold postcodes outside the area served: a family from over the
-- border gives a postcode the area's rows cannot know, and is accepted (without a ward or decile)
-- when its sector is one of these; any other postcode not in geography_postcodes is refused.
CREATE TABLE geography_outside_sectors (
    sector TEXT PRIMARY KEY NOT NULL
);
-- What is loaded: one row, replaced with the data.
CREATE TABLE geography_editions (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    imd_edition TEXT NOT NULL,
    local_authorities TEXT NOT NULL,
    ward_set TEXT NOT NULL,
    sources TEXT NOT NULL,
    postcodes INTEGER NOT NULL,
    wards INTEGER NOT NULL,
    lsoas INTEGER NOT NULL,
    loaded_at TIMESTAMP NOT NULL
);
