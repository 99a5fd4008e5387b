//! Canonical text: no spaces anywhere, sorts always in the `asc(..)`/`desc(..)` form. The
//! parser reads this text back to the same tree.

use super::ast::{Cast, Comparison, Direction, Filter, Operand, Sort, SortTerm};
use std::fmt::{self, Display, Formatter};

/// Writes `a,b,c`.
fn comma_separated<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Cast {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Display for Comparison {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Display for Direction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Display for Operand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(name) => write!(f, "{name}"),
            Operand::At(inner, key) => write!(f, "at({inner},{key})"),
            Operand::Cast(cast, inner) => write!(f, "{cast}({inner})"),
        }
    }
}

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Compare { op, operand, value } => write!(f, "{op}({operand},{value})"),
            Filter::Between { operand, low, high } => {
                write!(f, "between({operand},{low},{high})")
            }
            Filter::In { operand, values } => {
                write!(f, "in({operand},")?;
                comma_separated(f, values.as_slice())?;
                f.write_str(")")
            }
            Filter::And(items) | Filter::Or(items) => {
                f.write_str(if matches!(self, Filter::And(_)) {
                    "and("
                } else {
                    "or("
                })?;
                comma_separated(f, items.as_slice())?;
                f.write_str(")")
            }
            Filter::Not(inner) => write!(f, "not({inner})"),
            Filter::IsNull(operand) => write!(f, "is_null({operand})"),
            Filter::IsNotNull(operand) => write!(f, "is_not_null({operand})"),
        }
    }
}

impl Display for SortTerm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.direction, self.operand)
    }
}

impl Display for Sort {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        comma_separated(f, self.terms())
    }
}
