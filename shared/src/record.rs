//! `entity!` declares one record entity from one list of fields: its descriptor, its data types (through
//! `record_types!`), its validation function and its [`Record`] implementation, which the registry in
//! `entities/mod.rs` dispatches to.
//!
//! `record_types!` generates, for one entity, the three shapes of its data contract from one field list:
//! - `…Input`: a full record as a client writes it (every field optional; validation says what is required),
//! - `…Patch`: a partial update (absent = unchanged, null = clear) carrying the `version` it was read at,
//! - the response type: the stored record with server-set and joined values.
//!
//! Inputs and patches reject unknown fields, so a body that carries `id`, `tenant_id` or `created_by` is a 400.

use serde::{de::DeserializeOwned, Serialize};

use crate::{
    descriptor::EntityDescriptor,
    validation::{Fields, RulesContext, ValidationErrors},
};

/// One record entity's contract: its types, its descriptor and its validation. Implemented by `entity!`.
pub trait Record: 'static {
    type Input: DeserializeOwned + Serialize + Fields + Default;
    type Patch: DeserializeOwned + Serialize + RecordPatch<Input = Self::Input>;
    const DESCRIPTOR: &'static EntityDescriptor;
    /// Every field against the descriptor, then the entity's own cross-field rules.
    fn validate(input: &Self::Input, ctx: &RulesContext) -> Result<(), ValidationErrors>;
}

/// Code that is generic over the entity: [`crate::EntityKind::visit`] calls `visit` with the kind's type.
pub trait RecordVisitor {
    type Output;
    fn visit<R: Record>(self) -> Self::Output;
}

/// What the server needs of any entity's patch type, whatever the entity.
pub trait RecordPatch {
    type Input;
    /// The `version` the client read the record at.
    fn version(&self) -> i64;
    /// Applies this change to the full record it was read from.
    fn apply(self, record: &mut Self::Input);
    /// Names of the fields this patch touches.
    fn touched_fields(&self) -> Vec<&'static str>;
}

#[macro_export]
macro_rules! record_types {
    (
        $(#[$meta:meta])*
        $response:ident, $input:ident, $patch:ident {
            $( $field:ident : $ty:ty ),* $(,)?
        }
        joined { $( $joined:ident : $jty:ty ),* $(,)? }
    ) => {
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $input {
            $( #[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<$ty>, )*
        }

        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $patch {
            /// The `version` of the record the client read; a stale one is refused with 409.
            pub version: i64,
            $(
                #[serde(default, skip_serializing_if = "crate::value::Patch::is_absent")]
                pub $field: $crate::value::Patch<$ty>,
            )*
        }

        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $response {
            pub id: i64,
            $( pub $field: Option<$ty>, )*
            $( pub $joined: $jty, )*
            pub assigned_to_name: Option<String>,
            pub created_by: Option<i64>,
            pub created_at: String,
            pub updated_at: String,
            pub version: i64,
        }

        impl $crate::validation::Fields for $input {
            fn get(&self, name: &str) -> $crate::validation::FieldValue<'_> {
                use $crate::validation::AsFieldValue;
                match name {
                    $( stringify!($field) => self.$field.as_field_value(), )*
                    _ => $crate::validation::FieldValue::Missing,
                }
            }

            fn fill_missing_text(&mut self, name: &str, value: &str) {
                use $crate::validation::FillText;
                match name {
                    $( stringify!($field) => self.$field.fill_missing_text(value), )*
                    _ => {}
                }
            }
        }

        impl $patch {
            /// Applies this change to the full record it was read from.
            pub fn apply_to(self, record: &mut $input) {
                $( self.$field.apply(&mut record.$field); )*
            }

            /// Names of the fields this patch touches.
            pub fn touched(&self) -> Vec<&'static str> {
                let mut names = Vec::new();
                $( if !self.$field.is_absent() { names.push(stringify!($field)); } )*
                names
            }
        }

        impl $crate::record::RecordPatch for $patch {
            type Input = $input;
            fn version(&self) -> i64 {
                self.version
            }
            fn apply(self, record: &mut $input) {
                self.apply_to(record)
            }
            fn touched_fields(&self) -> Vec<&'static str> {
                self.touched()
            }
        }

        impl $response {
            /// The writable part of the record, e.g. to fill an edit form or to apply a patch to.
            pub fn to_input(&self) -> $input {
                $input { $( $field: self.$field.clone(), )* }
            }
        }
    };
}

/// One record entity, its fields written once. Each field is `name: Type = constructor(args).modifier(…)…`,
/// where `constructor` and the modifiers are [`FieldDef`](crate::descriptor::FieldDef)'s (the name is passed
/// for you); the descriptor gets `id` first and `created_at`, `updated_at` last. The descriptor's other
/// attributes are given as in [`EntityDescriptor`] (every one, so a new attribute cannot be forgotten).
/// `validate` names the generated validation function, optionally followed by `+ rule` for cross-field rules
/// (`fn(&Input, &mut ValidationErrors)`) that run after the field checks.
#[macro_export]
macro_rules! entity {
    (
        $(#[$meta:meta])*
        $descriptor:ident: $response:ident, $input:ident, $patch:ident {
            $( $attr:ident : $value:expr ),* $(,)?
        }
        fields {
            $(
                $field:ident : $ty:ty = $ctor:ident ( $( $arg:expr ),* )
                    $( . $modifier:ident ( $( $marg:expr ),* ) )*
            ),* $(,)?
        }
        joined { $( $joined:ident : $jty:ty ),* $(,)? }
        validate $validate:ident $( + $rule:path )?;
    ) => {
        pub const $descriptor: $crate::descriptor::EntityDescriptor =
            $crate::descriptor::EntityDescriptor {
                $( $attr: $value, )*
                fields: &[
                    $crate::descriptor::FieldDef::id(),
                    $(
                        $crate::descriptor::FieldDef::$ctor(stringify!($field), $( $arg ),*)
                            $( .$modifier( $( $marg ),* ) )*,
                    )*
                    $crate::descriptor::CREATED_AT,
                    $crate::descriptor::UPDATED_AT,
                ],
            };

        $crate::record_types! {
            $(#[$meta])*
            $response, $input, $patch { $( $field: $ty ),* }
            joined { $( $joined: $jty ),* }
        }

        pub fn $validate(
            input: &$input,
            ctx: &$crate::validation::RulesContext,
        ) -> Result<(), $crate::validation::ValidationErrors> {
            #[allow(unused_mut)]
            let mut errors = $crate::validation::validate_fields(&$descriptor, input, ctx);
            $( $rule(input, &mut errors); )?
            $crate::validation::into_result(errors)
        }

        impl $crate::record::Record for $response {
            type Input = $input;
            type Patch = $patch;
            const DESCRIPTOR: &'static $crate::descriptor::EntityDescriptor = &$descriptor;
            fn validate(
                input: &$input,
                ctx: &$crate::validation::RulesContext,
            ) -> Result<(), $crate::validation::ValidationErrors> {
                $validate(input, ctx)
            }
        }
    };
}
