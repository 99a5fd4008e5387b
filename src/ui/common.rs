//! Small view pieces shared by the panels: alerts, times, status badges.

use crate::format;
use crate::timestamp::Timestamp;
use crate::ui::state::now;
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Info,
    Success,
    Warning,
    Error,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Info => "fk-alert",
            Tone::Success => "fk-alert fk-success",
            Tone::Warning => "fk-alert fk-warning",
            Tone::Error => "fk-alert fk-error",
        }
    }
}

/// A message box. Errors interrupt (`role="alert"`); everything else is announced politely.
#[component]
pub fn Alert(
    #[prop(into)] title: String,
    #[prop(optional)] tone: Tone,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let role = if tone == Tone::Error {
        "alert"
    } else {
        "status"
    };
    view! {
        <div class=tone.class() role=role>
            <p class="fk-alert-title">{title}</p>
            {children.map(|c| c())}
        </div>
    }
    .into_any()
}

/// A time as people read it ("in 3 days") with the exact UTC time beside it.
#[component]
pub fn When(at: Timestamp) -> impl IntoView {
    let relative = format::relative(at, now());
    let absolute = format::absolute(at);
    let tooltip = absolute.clone();
    view! {
        // The space separates the two where they sit on one line (a fact list); in the table
        // they are stacked and the space is not rendered.
        <time datetime=at.to_string() title=tooltip>
            {relative} " "
            <span class="fk-muted">{absolute}</span>
        </time>
    }
}

/// Like [`When`], for an optional time, with words for its absence.
#[component]
pub fn MaybeWhen(at: Option<Timestamp>, #[prop(into)] none: String) -> impl IntoView {
    match at {
        Some(at) => view! { <When at=at /> }.into_any(),
        None => view! { <span class="fk-muted">{none}</span> }.into_any(),
    }
}
