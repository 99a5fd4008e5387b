//! One row of the token table, built once for its place on the page and written in place.
//!
//! Why by hand: the app's module is built with erased view types (`--cfg erase_components`,
//! 55 kB of gzip less), and an erased element that is rebuilt removes and sets again every one
//! of its attributes. With 10,000 tokens held, a filter click gives every row of the page a new
//! token, so rebuilding the rows' views, or binding each cell to a signal of its own (40
//! reactive nodes a row), cost more than the typed views did. Here a row is one effect: it
//! compares the row it shows with the next and writes only the text and attributes that
//! differ. A cell that shows one of two things (a time or "never", a parent or "none") holds
//! both, the one not shown hidden and empty, so its text is only what shows; otherwise the
//! cells are what [`crate::ui::common::When`] and the typed table made, and the table reads
//! the same to a person and a screen reader (tests/e2e/specs/table.spec.mjs compares kept rows
//! with rows built afresh).

use crate::api::models::TokenStatus;
use crate::format;
use crate::table::Column;
use crate::timestamp::Timestamp;
use leptos::html;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// A time as a row shows it (as [`crate::ui::common::When`] does), worked out with the page,
/// so a row kept from page to page compares it as text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TimeText {
    /// For the `datetime` attribute.
    pub iso: String,
    pub relative: String,
    pub absolute: String,
}

impl TimeText {
    pub fn at(time: Timestamp, now: Timestamp) -> Self {
        Self {
            iso: time.to_string(),
            relative: format::relative(time, now),
            absolute: format::absolute(time),
        }
    }
}

/// A row as text only: cloned and compared for every row on every new page, so it holds
/// nothing the cells do not show (a token's restrictions as the API sent them can be long
/// JSON; the details dialog looks the token up by `id`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowView {
    pub id: String,
    pub name: String,
    /// The status as the API sent it or as derived, and its badge's class ([`badge_class`]).
    pub status: String,
    pub badge: &'static str,
    /// Active and expiring within 7 days.
    pub expiring: bool,
    pub kind: String,
    pub created: Option<TimeText>,
    pub expires: Option<TimeText>,
    pub last_used: Option<TimeText>,
    /// The parent's id, and its name when the parent is among the tokens at hand.
    pub parent: Option<(String, Option<String>)>,
    /// The restrictions in words, and as the API sent them (empty when all are in words).
    pub restrictions: Option<(String, String)>,
}

/// The columns a page needs beyond the fixed ones, and whether the headers show the sort.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Columns {
    pub last_used: bool,
    pub lineage: bool,
    pub sorted: bool,
}

const NO_PARENT: &str = "none (a main key)";
const RAW: &str = "As sent by the API";
const EXPIRING: &str = "expires soon";

/// The row `row` shows, whichever token that is.
#[component]
pub fn TokenRow(
    row: Memo<Option<Arc<RowView>>>,
    columns: Memo<Columns>,
    on_copy: Callback<(String, String)>,
    on_details: Callback<String>,
) -> impl IntoView {
    let built = row.get_untracked().unwrap_or_default();
    let refs = RowRefs::default();
    // The first run sees the row as built; each later one, the row it last wrote.
    let first = built.clone();
    Effect::new(move |shown: Option<Arc<RowView>>| {
        let next = row.get().unwrap_or_default();
        refs.write(shown.as_ref().unwrap_or(&first), &next);
        next
    });
    let last_used = Memo::new(move |_| columns.get().last_used);
    let lineage = Memo::new(move |_| columns.get().lineage);
    // Cells that come and go with a column are built from the row at hand when they come.
    let now_row = move || row.get_untracked().unwrap_or_default();
    let name = built.name.clone();
    view! {
        <tr>
            <th scope="row">
                <span node_ref=refs.name>{built.name.clone()}</span>
                <span class="fk-id fk-mono" title=built.id.clone() node_ref=refs.id>{built.id.clone()}</span>
            </th>
            <td data-label=Column::Status.label()>
                <span class=built.badge node_ref=refs.status>{built.status.clone()}</span>
                " "
                <span class="fk-badge fk-badge-expiring" hidden=!built.expiring node_ref=refs.expiring>
                    {shown_words(built.expiring, EXPIRING)}
                </span>
            </td>
            <td data-label=Column::Type.label() node_ref=refs.kind>{built.kind.clone()}</td>
            <td class="fk-when" data-label=Column::Created.label()>{time_cell(refs.created, built.created.clone(), "")}</td>
            <td class="fk-when" data-label=Column::Expires.label()>{time_cell(refs.expires, built.expires.clone(), "never")}</td>
            {move || last_used.get().then(|| view! {
                <td class="fk-when" data-label=Column::LastUsed.label()>{time_cell(refs.last_used, now_row().last_used.clone(), "never")}</td>
            })}
            {move || lineage.get().then(|| {
                let r = now_row();
                let (parent_id, parent_name) = r.parent.clone().unwrap_or_default();
                let (summary, raw) = r.restrictions.clone().unwrap_or_default();
                let has_parent = r.parent.is_some();
                view! {
                    <td class="fk-col-parent" data-label="Parent">
                        <span node_ref=refs.parent_name>{parent_name}</span>
                        <span class="fk-id fk-mono" title=parent_id.clone() hidden=!has_parent node_ref=refs.parent_id>{parent_id.clone()}</span>
                        <span class="fk-muted" hidden=has_parent node_ref=refs.no_parent>{shown_words(!has_parent, NO_PARENT)}</span>
                    </td>
                    <td class="fk-col-restrictions" data-label="Restrictions">
                        <span class="fk-restrictions" node_ref=refs.summary>{summary}</span>
                        <details class="fk-raw" hidden=raw.is_empty() node_ref=refs.raw>
                            <summary node_ref=refs.raw_title>{shown_words(!raw.is_empty(), RAW)}</summary>
                            <pre node_ref=refs.raw_text>{raw.clone()}</pre>
                        </details>
                    </td>
                }
            })}
            <td class="fk-row-actions" data-label="Actions">
                <div class="fk-actions">
                    <button type="button" class="fk-small" on:click=move |_| {
                        if let Some(r) = row.get_untracked() {
                            on_copy.run((r.id.clone(), r.name.clone()));
                        }
                    }>
                        "Copy id"<span class="fk-visually-hidden" node_ref=refs.copy_name>" of " {name.clone()}</span>
                    </button>
                    <button type="button" class="fk-small" aria-haspopup="dialog" on:click=move |_| {
                        if let Some(r) = row.get_untracked() {
                            on_details.run(r.id.clone());
                        }
                    }>
                        "Details"<span class="fk-visually-hidden" node_ref=refs.details_name>" of " {name}</span>
                    </button>
                </div>
            </td>
        </tr>
    }
}

/// A status's badge: the colour of a published state, or none for a word this client does not
/// know (the API's text never goes into a class attribute).
pub fn badge_class(status: &TokenStatus) -> &'static str {
    match status {
        TokenStatus::Active => "fk-badge fk-badge-active",
        TokenStatus::Expired => "fk-badge fk-badge-expired",
        TokenStatus::Revoked => "fk-badge fk-badge-revoked",
        TokenStatus::Other(_) => "fk-badge",
    }
}

/// A time cell: the time, or the words for its absence (the other one hidden and empty, so
/// the cell's text is only what shows).
fn time_cell(refs: TimeRefs, at: Option<TimeText>, none: &'static str) -> impl IntoView {
    let present = at.is_some();
    let shown = at.unwrap_or_default();
    let title = shown.absolute.clone();
    view! {
        // The space separates the two where they sit on one line (a card at phone width); in
        // the table they are stacked and the space is not rendered.
        <time datetime=shown.iso title=title hidden=!present node_ref=refs.time>
            <span node_ref=refs.relative>{shown.relative}</span>
            " "
            <span class="fk-muted" node_ref=refs.absolute>{shown.absolute}</span>
        </time>
        <span class="fk-muted" hidden=present node_ref=refs.none>{shown_words(!present, none)}</span>
    }
}

/// The elements of a row that change with its token.
#[derive(Clone, Copy, Default)]
struct RowRefs {
    name: NodeRef<html::Span>,
    id: NodeRef<html::Span>,
    status: NodeRef<html::Span>,
    expiring: NodeRef<html::Span>,
    kind: NodeRef<html::Td>,
    created: TimeRefs,
    expires: TimeRefs,
    last_used: TimeRefs,
    parent_name: NodeRef<html::Span>,
    parent_id: NodeRef<html::Span>,
    no_parent: NodeRef<html::Span>,
    summary: NodeRef<html::Span>,
    raw: NodeRef<html::Details>,
    raw_title: NodeRef<html::Summary>,
    raw_text: NodeRef<html::Pre>,
    copy_name: NodeRef<html::Span>,
    details_name: NodeRef<html::Span>,
}

#[derive(Clone, Copy, Default)]
struct TimeRefs {
    time: NodeRef<html::Time>,
    relative: NodeRef<html::Span>,
    absolute: NodeRef<html::Span>,
    none: NodeRef<html::Span>,
}

impl TimeRefs {
    fn write(&self, old: Option<&TimeText>, new: Option<&TimeText>, none: &str) {
        if old == new {
            return;
        }
        let blank = TimeText::default();
        let (was, now) = (old.unwrap_or(&blank), new.unwrap_or(&blank));
        if let Some(time) = self.time.get_untracked() {
            if was.iso != now.iso {
                let _ = time.set_attribute("datetime", &now.iso);
            }
            if was.absolute != now.absolute {
                time.set_title(&now.absolute);
            }
            time.set_hidden(new.is_none());
        }
        set_text(self.relative, &was.relative, &now.relative);
        set_text(self.absolute, &was.absolute, &now.absolute);
        if let Some(words) = self.none.get_untracked() {
            show_words(&words, new.is_none(), none);
        }
    }
}

impl RowRefs {
    /// Writes into the row what differs between the row it shows (`old`) and `new`.
    fn write(&self, old: &RowView, new: &RowView) {
        if old == new {
            return;
        }
        set_text(self.name, &old.name, &new.name);
        if old.name != new.name {
            for label in [self.copy_name, self.details_name] {
                if let Some(label) = label.get_untracked() {
                    write_text(&label, &format!(" of {}", new.name));
                }
            }
        }
        if let Some(id) = self.id.get_untracked()
            && old.id != new.id
        {
            id.set_title(&new.id);
            write_text(&id, &new.id);
        }
        if let Some(status) = self.status.get_untracked()
            && (old.status != new.status || old.badge != new.badge)
        {
            status.set_class_name(new.badge);
            write_text(&status, &new.status);
        }
        if let Some(badge) = self.expiring.get_untracked()
            && old.expiring != new.expiring
        {
            show_words(&badge, new.expiring, EXPIRING);
        }
        set_text(self.kind, &old.kind, &new.kind);
        self.created
            .write(old.created.as_ref(), new.created.as_ref(), "");
        self.expires
            .write(old.expires.as_ref(), new.expires.as_ref(), "never");
        self.last_used
            .write(old.last_used.as_ref(), new.last_used.as_ref(), "never");
        if old.parent != new.parent {
            let none = (String::new(), None);
            let ((was_id, was_name), (id, name)) = (
                old.parent.as_ref().unwrap_or(&none),
                new.parent.as_ref().unwrap_or(&none),
            );
            let has_parent = new.parent.is_some();
            set_text(
                self.parent_name,
                was_name.as_deref().unwrap_or(""),
                name.as_deref().unwrap_or(""),
            );
            if let Some(shown) = self.parent_id.get_untracked() {
                if was_id != id {
                    shown.set_title(id);
                    write_text(&shown, id);
                }
                shown.set_hidden(!has_parent);
            }
            if let Some(words) = self.no_parent.get_untracked() {
                show_words(&words, !has_parent, NO_PARENT);
            }
        }
        if old.restrictions != new.restrictions {
            let none = (String::new(), String::new());
            let ((was_summary, was_raw), (summary, raw)) = (
                old.restrictions.as_ref().unwrap_or(&none),
                new.restrictions.as_ref().unwrap_or(&none),
            );
            set_text(self.summary, was_summary, summary);
            if was_raw != raw {
                set_text(self.raw_text, was_raw, raw);
                set_text(
                    self.raw_title,
                    shown_words(!was_raw.is_empty(), RAW),
                    shown_words(!raw.is_empty(), RAW),
                );
                if let Some(details) = self.raw.get_untracked() {
                    details.set_hidden(raw.is_empty());
                }
            }
        }
        // Another token's raw restrictions start folded, as a new row's would.
        if old.id != new.id
            && let Some(details) = self.raw.get_untracked()
        {
            details.set_open(false);
        }
    }
}

/// What an element that holds one of a cell's two forms says: its words when it is the form
/// shown, else nothing (it is hidden, and a hidden element's text would still be the cell's).
fn shown_words(shown: bool, words: &str) -> &str {
    if shown { words } else { "" }
}

/// Shows an element with its words, or hides and empties it (see [`shown_words`]).
fn show_words(element: &web_sys::HtmlElement, shown: bool, words: &str) {
    element.set_hidden(!shown);
    write_text(element, shown_words(shown, words));
}

/// Sets an element's text when it changed.
fn set_text<E>(node: NodeRef<E>, old: &str, new: &str)
where
    E: html::ElementType,
    E::Output: JsCast + AsRef<web_sys::Node> + Clone + 'static,
{
    if old != new
        && let Some(element) = node.get_untracked()
    {
        write_text(element.as_ref(), new);
    }
}

/// Sets the text of an element that holds only text: its one text node's value when it has
/// one (Chromium then only changes that node; setting `textContent` replaces the children,
/// which costs about twice as much over a page of rows).
fn write_text(element: &web_sys::Node, text: &str) {
    match element.first_child() {
        Some(child)
            if child.node_type() == web_sys::Node::TEXT_NODE && child.next_sibling().is_none() =>
        {
            child.set_node_value(Some(text));
        }
        _ => element.set_text_content(Some(text)),
    }
}
