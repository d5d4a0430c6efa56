//! Where a family or venue is, from its postcode, once the public geography is loaded
//! (`groupwork import-geography`): its ward, its LSOA and that LSOA's IMD decile.

/// What a postcode says about where someone lives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// `boundary-set:Ward name`, as families and venues store it ('' when not known).
    pub ward: String,
    /// The LSOA code of the loaded IMD edition's census ('' when not known).
    pub lsoa: String,
    /// 1 (the 10% most deprived) to 10.
    pub imd_decile: Option<i32>,
}
