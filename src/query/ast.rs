//! The typed syntax tree of filters and sorts.
//!
//! Lists that the grammar cannot write empty (`and(...)`, `or(...)`, `in(operand,...)`, a sort)
//! are non-empty by construction, so every tree prints as text that parses back to it (within
//! the nesting bound [`MAX_DEPTH`](super::MAX_DEPTH)).

use super::literal::{Ident, Literal};

/// A non-empty list: the grammar has no way to write `and()` or `in(status)`.
#[derive(Debug, Clone, PartialEq)]
pub struct NonEmpty<T>(Vec<T>);

impl<T> NonEmpty<T> {
    /// `None` for an empty vector.
    pub fn new(items: Vec<T>) -> Option<Self> {
        (!items.is_empty()).then_some(Self(items))
    }

    pub fn one(item: T) -> Self {
        Self(vec![item])
    }

    pub fn push(&mut self, item: T) {
        self.0.push(item);
    }

    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false; present because clippy expects it beside `len`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<'a, T> IntoIterator for &'a NonEmpty<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A type conversion applied to an operand before it is compared or sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cast {
    Float,
    Int,
    Text,
    Timestamp,
    Date,
}

impl Cast {
    pub const ALL: [Cast; 5] = [
        Cast::Float,
        Cast::Int,
        Cast::Text,
        Cast::Timestamp,
        Cast::Date,
    ];

    /// The function name in the grammar.
    pub fn name(self) -> &'static str {
        match self {
            Cast::Float => "float",
            Cast::Int => "int",
            Cast::Text => "text",
            Cast::Timestamp => "timestamp",
            Cast::Date => "date",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// What a filter or sort term looks at: a field, a key inside a JSON field, or a cast of either.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Field(Ident),
    /// `at(operand,key)`: the value under `key` in a JSON object.
    At(Box<Operand>, Ident),
    Cast(Cast, Box<Operand>),
}

impl Operand {
    /// A plain field, checking the name.
    pub fn field(name: &str) -> Result<Self, super::LiteralError> {
        Ident::new(name).map(Operand::Field)
    }

    /// `at(self,key)`.
    pub fn at(self, key: Ident) -> Self {
        Operand::At(Box::new(self), key)
    }

    /// `cast(self)`, e.g. `date(created_at)`.
    pub fn cast(self, cast: Cast) -> Self {
        Operand::Cast(cast, Box::new(self))
    }

    /// The field at the bottom of the operand: what [`Filter::validate`] checks.
    pub fn base_field(&self) -> &Ident {
        match self {
            Operand::Field(name) => name,
            Operand::At(inner, _) | Operand::Cast(_, inner) => inner.base_field(),
        }
    }

    /// Parenthesis nesting of the printed operand.
    pub fn depth(&self) -> usize {
        match self {
            Operand::Field(_) => 0,
            Operand::At(inner, _) | Operand::Cast(_, inner) => 1 + inner.depth(),
        }
    }
}

impl From<Ident> for Operand {
    fn from(name: Ident) -> Self {
        Operand::Field(name)
    }
}

/// The two-argument comparisons `op(operand,value)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    Eq,
    Neq,
    Gt,
    Lt,
    Gte,
    Lte,
    /// Case-insensitive substring match on the operand's text form.
    Contains,
}

impl Comparison {
    pub const ALL: [Comparison; 7] = [
        Comparison::Eq,
        Comparison::Neq,
        Comparison::Gt,
        Comparison::Lt,
        Comparison::Gte,
        Comparison::Lte,
        Comparison::Contains,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Comparison::Eq => "eq",
            Comparison::Neq => "neq",
            Comparison::Gt => "gt",
            Comparison::Lt => "lt",
            Comparison::Gte => "gte",
            Comparison::Lte => "lte",
            Comparison::Contains => "contains",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `eq(operand,value)`, `gt(...)`, `contains(...)`, ...
    Compare {
        op: Comparison,
        operand: Operand,
        value: Literal,
    },
    /// `between(operand,low,high)`, inclusive at both ends.
    Between {
        operand: Operand,
        low: Literal,
        high: Literal,
    },
    /// `in(operand,v1,v2,...)`.
    In {
        operand: Operand,
        values: NonEmpty<Literal>,
    },
    And(NonEmpty<Filter>),
    Or(NonEmpty<Filter>),
    Not(Box<Filter>),
    IsNull(Operand),
    IsNotNull(Operand),
}

impl Filter {
    /// Parenthesis nesting of the printed filter; [`parse_filter`](super::parse_filter) refuses
    /// more than [`MAX_DEPTH`](super::MAX_DEPTH).
    pub fn depth(&self) -> usize {
        match self {
            Filter::Compare { operand, .. }
            | Filter::Between { operand, .. }
            | Filter::In { operand, .. }
            | Filter::IsNull(operand)
            | Filter::IsNotNull(operand) => 1 + operand.depth(),
            Filter::And(items) | Filter::Or(items) => {
                1 + items.iter().map(Filter::depth).max().unwrap_or(0)
            }
            Filter::Not(inner) => 1 + inner.depth(),
        }
    }

    /// Every operand in the filter, depth first, left to right.
    pub fn operands(&self) -> Vec<&Operand> {
        let mut out = Vec::new();
        self.collect_operands(&mut out);
        out
    }

    fn collect_operands<'a>(&'a self, out: &mut Vec<&'a Operand>) {
        match self {
            Filter::Compare { operand, .. }
            | Filter::Between { operand, .. }
            | Filter::In { operand, .. }
            | Filter::IsNull(operand)
            | Filter::IsNotNull(operand) => out.push(operand),
            Filter::And(items) | Filter::Or(items) => {
                items.iter().for_each(|f| f.collect_operands(out));
            }
            Filter::Not(inner) => inner.collect_operands(out),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn name(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "asc" => Some(Direction::Asc),
            "desc" => Some(Direction::Desc),
            _ => None,
        }
    }
}

/// One `asc(operand)` / `desc(operand)`.
#[derive(Debug, Clone, PartialEq)]
pub struct SortTerm {
    pub direction: Direction,
    pub operand: Operand,
}

impl SortTerm {
    pub fn asc(operand: impl Into<Operand>) -> Self {
        Self {
            direction: Direction::Asc,
            operand: operand.into(),
        }
    }

    pub fn desc(operand: impl Into<Operand>) -> Self {
        Self {
            direction: Direction::Desc,
            operand: operand.into(),
        }
    }
}

/// Why a list of sort terms is not a sort.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SortError {
    #[error("a sort needs at least one term")]
    Empty,
    #[error("Foundry sorts by at most {max} terms; {count} were given", max = super::MAX_SORT_TERMS)]
    TooManyTerms { count: usize },
}

/// One to [`MAX_SORT_TERMS`](super::MAX_SORT_TERMS) sort terms; later terms break ties.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort(Vec<SortTerm>);

impl Sort {
    pub fn new(terms: Vec<SortTerm>) -> Result<Self, SortError> {
        match terms.len() {
            0 => Err(SortError::Empty),
            n if n > super::MAX_SORT_TERMS => Err(SortError::TooManyTerms { count: n }),
            _ => Ok(Self(terms)),
        }
    }

    /// A sort by a single term.
    pub fn by(term: SortTerm) -> Self {
        Self(vec![term])
    }

    /// Appends a tie-breaking term.
    pub fn then(mut self, term: SortTerm) -> Result<Self, SortError> {
        if self.0.len() >= super::MAX_SORT_TERMS {
            return Err(SortError::TooManyTerms {
                count: self.0.len() + 1,
            });
        }
        self.0.push(term);
        Ok(self)
    }

    pub fn terms(&self) -> &[SortTerm] {
        &self.0
    }
}
