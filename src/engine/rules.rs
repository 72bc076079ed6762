//! Value rules on collected data (`min length 8`, `pattern "[0-9]{10}"`,
//! `min 1`): a value that breaks one is refused, with the rule in words.
//! A secret's or an unrecorded value is never quoted back.

use crate::domain;
use crate::graph::{Data, DataClass, ValueRule};

/// `Ok` when `value` keeps every rule of `d`; else the broken rule in words.
pub fn check(d: &Data, value: &str) -> Result<(), String> {
    let chars = value.chars().count();
    let quoted = if matches!(d.class, DataClass::Secret | DataClass::Unrecorded) {
        "the value".to_string()
    } else {
        format!("`{value}`")
    };
    for rule in &d.rules {
        match rule {
            ValueRule::MinLength { length } if chars < *length as usize => {
                return Err(format!(
                    "{quoted} has {chars} characters; the rule is `min length {length}`"
                ))
            }
            ValueRule::MaxLength { length } if chars > *length as usize => {
                return Err(format!(
                    "{quoted} has {chars} characters; the rule is `max length {length}`"
                ))
            }
            ValueRule::Length { length } if chars != *length as usize => {
                return Err(format!(
                    "{quoted} has {chars} characters; the rule is `length {length}`"
                ))
            }
            ValueRule::Pattern { pattern } => {
                // Checked when the policy was compiled (and again when an
                // artifact is loaded): a pattern that does not compile here
                // refuses every value rather than none.
                let ok = regex::Regex::new(&format!("^(?:{pattern})$"))
                    .is_ok_and(|re| re.is_match(value));
                if !ok {
                    return Err(format!(
                        "{quoted} does not match the rule `pattern \"{pattern}\"`"
                    ));
                }
            }
            ValueRule::Min { scale, value: min } | ValueRule::Max { scale, value: min } => {
                let v = domain::parse(*scale, value).map_err(|e| {
                    if quoted == "the value" {
                        format!("the value is not {}", scale.noun())
                    } else {
                        e
                    }
                })?;
                let is_min = matches!(rule, ValueRule::Min { .. });
                if (is_min && v < *min) || (!is_min && v > *min) {
                    let word = if is_min { "min" } else { "max" };
                    return Err(format!(
                        "{quoted} breaks the rule `{word} {}`",
                        domain::format(*scale, *min)
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Scale;

    fn field(class: DataClass, rules: Vec<ValueRule>) -> Data {
        Data {
            name: "f".into(),
            label: "F".into(),
            class,
            rules,
            span: crate::span::Span::default(),
        }
    }

    #[test]
    fn each_rule_refuses_what_breaks_it_and_says_which() {
        let pin = field(
            DataClass::Secret,
            vec![
                ValueRule::Length { length: 4 },
                ValueRule::Pattern {
                    pattern: "[0-9]+".into(),
                },
            ],
        );
        assert_eq!(check(&pin, "1234"), Ok(()));
        let e = check(&pin, "123").unwrap_err();
        assert!(e.contains("length 4") && !e.contains("123"), "{e}");
        assert!(check(&pin, "12a4").unwrap_err().contains("pattern"));
        let kids = field(
            DataClass::Number,
            vec![
                ValueRule::Min {
                    scale: Scale::Number,
                    value: 100,
                },
                ValueRule::Max {
                    scale: Scale::Number,
                    value: 1200,
                },
            ],
        );
        assert_eq!(check(&kids, "1"), Ok(()));
        assert_eq!(check(&kids, "12"), Ok(()));
        assert!(check(&kids, "0").unwrap_err().contains("min 1"));
        assert!(check(&kids, "12.01").unwrap_err().contains("max 12"));
        assert!(check(&kids, "many").is_err());
    }
}
