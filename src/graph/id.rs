//! The graph's indices, one type per table, so a fact's index cannot pick
//! a step. Each is a `u32` underneath, which the artifact writes as a bare
//! number.

/// What the tables' ids have in common, for code over any of them (name
/// resolution keeps one table of names per kind).
pub trait Id: Copy {
    fn new(i: usize) -> Self;
    fn index(self) -> usize;
}

macro_rules! define_id {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The id of the `i`th entry of its table.
            #[inline]
            pub fn new(i: usize) -> Self {
                debug_assert!(i <= u32::MAX as usize);
                Self(i as u32)
            }

            /// The entry's position in its table.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl Id for $name {
            #[inline]
            fn new(i: usize) -> Self {
                $name::new(i)
            }

            #[inline]
            fn index(self) -> usize {
                $name::index(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

define_id! {
    /// An index into `Graph::steps`.
    StepId;
    /// An index into `Graph::facts`.
    FactId;
    /// An index into `Graph::data`.
    DataId;
    /// An index into `Graph::targets`.
    TargetId;
    /// An index into `Graph::outcomes`.
    OutcomeId;
    /// An index into `Graph::roles`.
    RoleId;
    /// An index into `Graph::standing`.
    StandingId;
    /// An index into `Graph::procedures`.
    ProcedureId;
    /// An index into a procedure's `exits`.
    ExitId;
}
