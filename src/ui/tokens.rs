//! The token table: filters without typing the grammar (plus an advanced field that takes it),
//! a search by name or token id, header-click sorting (shift-click adds a column), paging with
//! the counts above and below, a header that stays in view, per-row actions (copy the id, see
//! the details: restrictions, parent, children, lineage), and the server/browser mode. At
//! phone width the rows are stacked cards (style/main.css), each cell labelled.

use crate::api::error::ApiError;
use crate::api::listing::ListMode;
use crate::api::models::{Token, TokenStatus, WhoAmI};
use crate::api::paging::{HeldTokens, ListDescription, Listing};
use crate::format;
use crate::restrictions::Restrictions;
use crate::table::{
    Column, Family, PAGE_SIZES, Relative, SEARCH_HINT, TREE_CHILDREN, TableQueryError, TableState,
    TreeNode, names_of, page_count, range_label, search_filter,
};
use crate::ui::api;
use crate::ui::attenuate::AttenuateDialog;
use crate::ui::clipboard;
use crate::ui::common::{Alert, MaybeWhen, Tone, When};
use crate::ui::error_panel::ApiErrorPanel;
use crate::ui::session::Session;
use crate::ui::state::{KeyringState, now};
use crate::ui::token_row::{Columns, RowView, TimeText, TokenRow, badge_class};
use crate::ui::url;
use leptos::html::Dialog;
use leptos::prelude::*;
use std::sync::Arc;

const TABLE_PARAMS: [&str; 7] = ["q", "status", "type", "filter", "sort", "size", "page"];

#[component]
pub fn TokensPanel(whoami: LocalResource<Result<WhoAmI, ApiError>>) -> impl IntoView {
    let state = expect_context::<KeyringState>();
    let session = expect_context::<Session>();
    let api = api::use_api();
    let initial = if session.standalone {
        let pairs = url::query_pairs();
        TableState::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    } else {
        TableState::default()
    };
    let table = RwSignal::new(initial);
    // The standalone page keeps the table in its URL, so a reload (or a shared link) keeps it.
    // The URL is written in a task of its own, after the new page is rendered: a history
    // update costs about 2 ms in Chromium, and a person waits for the rows, not the address.
    Effect::new(move |_| {
        let pairs = table.with(TableState::to_query);
        if session.standalone {
            let updates: Vec<(&'static str, Option<String>)> = TABLE_PARAMS
                .iter()
                .map(|key| {
                    (
                        *key,
                        pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
                    )
                })
                .collect();
            set_timeout(
                move || url::replace_params(&updates),
                std::time::Duration::ZERO,
            );
        }
    });
    let refresh = RwSignal::new(0u32);
    let request = Memo::new(move |_| table.with(TableState::list_request));
    // The tokens of the last browser-side listing (a server that ignores filter and sort), with
    // the key epoch and API base they were fetched for: a filter, sort or page change applies
    // to them instead of fetching up to 100 pages again. Refresh, a change made here, another
    // key or another API drop them.
    let held = StoredValue::new(None::<(u64, String, HeldTokens)>);
    // Whether the API's own description says its list takes filter and sort, asked once per
    // base (without the key) when a listing first has either, and kept for every later page.
    let description = ListDescription::new();
    let listing = LocalResource::new(move || {
        let epoch = state.key_epoch.get();
        let base = session.api_base.get();
        refresh.get();
        let request = request.get();
        let reuse = held.with_value(|h| {
            h.as_ref()
                .filter(|(e, b, _)| *e == epoch && *b == base)
                .map(|(_, _, tokens)| tokens.clone())
        });
        let description = description.clone();
        async move {
            let query = request.ok()?;
            if let Some(tokens) = reuse {
                return Some(tokens.listing(&query, &query.at(now())));
            }
            let client = match api.client() {
                Ok(client) => client,
                Err(error) => return Some(Err(error)),
            };
            let result = client
                .list_tokens_described(&query, &query.at(now()), &description)
                .await;
            if let Ok(listing) = &result {
                held.try_set_value(listing.held.clone().map(|tokens| (epoch, base, tokens)));
            }
            Some(result)
        }
    });
    let refetch = Callback::new(move |_| {
        held.set_value(None);
        refresh.update(|r| *r += 1);
    });
    let attenuate_open = RwSignal::new(false);
    // The last "copied" note, and the token whose details are open.
    let copied = RwSignal::new(None::<String>);
    let details = RwSignal::new(None::<Details>);
    let on_copy = Callback::new(move |(id, name): (String, String)| {
        clipboard::write(&id);
        copied.set(Some(format!("Copied the id of “{name}”.")));
    });
    // A row names its token by id; the token is looked up on the page on show. Its relatives
    // are looked up among every token fetched (a browser-side listing holds them all), else
    // among the page's.
    let on_details = Callback::new(move |id: String| {
        let found = listing.with_untracked(|l| match l {
            Some(Some(Ok(listing))) => {
                let token = listing.page.items.iter().find(|t| t.id == id)?.clone();
                Some(with_relatives(listing, |tokens, scope| {
                    let family = Family::of(&token, tokens);
                    Details {
                        token,
                        family,
                        scope,
                    }
                }))
            }
            _ => None,
        });
        if found.is_some() {
            details.set(found);
        }
    });

    // What the listing area shows, and the page on show. Only a change of the first rebuilds
    // the area; a filter, sort or page change updates the cells of the table in place (see
    // `TokenRow`), which keeps a click fast in a build with erased view types.
    let shown = Memo::new(move |_| {
        listing.with(|l| match l {
            None => Shown::Loading,
            Some(None) => Shown::Nothing,
            Some(Some(Err(error))) => Shown::Failed(error.clone()),
            Some(Some(Ok(_))) => Shown::Table,
        })
    });
    let page = Memo::new(move |_| {
        listing.with(|l| match l {
            Some(Some(Ok(listing))) => Some(PageView::of(listing)),
            _ => None,
        })
    });

    view! {
        <section class="fk-card" aria-labelledby="fk-tokens-title">
            <div class="fk-toolbar">
                <h2 id="fk-tokens-title">"Tokens"</h2>
                <div class="fk-actions">
                    <button type="button" on:click=move |_| refetch.run(())>"Refresh"</button>
                    <button type="button" on:click=move |_| attenuate_open.set(true)>"Create a restricted token…"</button>
                </div>
            </div>
            <Filters table=table />
            {move || match request.get() {
                // The search field's hint says why; nothing is sent.
                Err(TableQueryError::Search(_)) => ().into_any(),
                Err(TableQueryError::Advanced(error)) => {
                    let text = table.with(|t| t.advanced.clone());
                    view! { <AdvancedError text=text position=error.position message=error.to_string() /> }.into_any()
                }
                Err(other) => view! {
                    <Alert title="This filter cannot be sent" tone=Tone::Error><p>{other.to_string()}</p></Alert>
                }.into_any(),
                Ok(_) => ().into_any(),
            }}
            {move || match shown.get() {
                Shown::Loading => view! { <TableSkeleton /> }.into_any(),
                Shown::Nothing => ().into_any(),
                Shown::Failed(error) => view! { <ApiErrorPanel error=error on_retry=refetch /> }.into_any(),
                Shown::Table => view! {
                    <ListingArea page=page table=table copied=copied on_copy=on_copy on_details=on_details />
                }.into_any(),
            }}
        </section>
        <DetailsDialog details=details on_copy=on_copy />
        <AttenuateDialog open=attenuate_open whoami=whoami on_created=refetch />
    }
}

#[component]
fn Filters(table: RwSignal<TableState>) -> impl IntoView {
    let search = RwSignal::new(table.with_untracked(|t| t.search.clone()));
    let advanced = RwSignal::new(table.with_untracked(|t| t.advanced.clone()));
    let show_advanced = RwSignal::new(!advanced.get_untracked().is_empty());
    let pending = StoredValue::new_local(None::<TimeoutHandle>);
    // An embedded instance can be unmounted mid-pause: the timer goes with it.
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    // Typing filters after a short pause rather than on every keystroke.
    let on_search = move |ev: leptos::ev::Event| {
        search.set(event_target_value(&ev));
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                table.update(|t| {
                    t.search = search.get_untracked();
                    t.reset_page();
                })
            },
            std::time::Duration::from_millis(300),
        );
        pending.set_value(handle.ok());
    };
    let toggle_status = move |status: TokenStatus, on: bool| {
        table.update(|t| {
            t.statuses.retain(|s| s != &status);
            if on {
                t.statuses.push(status);
            }
            t.reset_page();
        });
    };
    let apply_advanced = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        table.update(|t| {
            t.advanced = advanced.get_untracked().trim().to_owned();
            t.reset_page();
        });
    };
    // Checked as it is typed: what the grammar cannot carry is said in the hint, not sent.
    let search_problem = move || search.with(|s| search_filter(s).err().map(|e| e.to_string()));
    view! {
        <div class="fk-toolbar" role="search" aria-label="Filter tokens">
            <div class="fk-field fk-search">
                <label for="fk-token-search">"Search by name or token id"</label>
                <input id="fk-token-search" type="search" spellcheck="false" aria-describedby="fk-token-search-hint"
                    aria-invalid=move || search_problem().is_some().to_string()
                    prop:value=move || search.get() on:input=on_search />
                <span id="fk-token-search-hint" class=move || if search_problem().is_some() { "fk-hint fk-hint-error" } else { "fk-hint" }>
                    {move || match search_problem() {
                        Some(problem) => format!("Not searched: {problem}."),
                        None => SEARCH_HINT.to_owned(),
                    }}
                </span>
            </div>
            <fieldset class="fk-field">
                <legend>"Status"</legend>
                <div class="fk-checks">
                    {TokenStatus::ALL.into_iter().map(|status| {
                        let word = status.as_str().to_owned();
                        let shown = status.clone();
                        view! {
                            <label class="fk-choice">
                                <input type="checkbox" prop:checked=move || table.with(|t| t.statuses.contains(&shown))
                                    on:change=move |ev| toggle_status(status.clone(), event_target_checked(&ev)) />
                                <span>{word}</span>
                            </label>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
            <div class="fk-field">
                <label for="fk-token-type">"Type"</label>
                <select id="fk-token-type" on:change=move |ev| table.update(|t| {
                    t.token_type = event_target_value(&ev);
                    t.reset_page();
                })>
                    {[("", "Any type"), ("user", "user"), ("admin", "admin"), ("multi_org", "multi-organisation"), ("admin_impersonating", "admin, impersonating")]
                        .into_iter().map(|(value, text)| view! {
                            <option value=value selected=move || table.with(|t| t.token_type == value)>{text}</option>
                        }).collect_view()}
                </select>
            </div>
            <button type="button" class="fk-link" aria-expanded=move || show_advanced.get().to_string()
                on:click=move |_| show_advanced.update(|s| *s = !*s)>"Advanced filter"</button>
        </div>
        <Show when=move || show_advanced.get()>
            <form on:submit=apply_advanced class="fk-field">
                <label for="fk-advanced-filter">"Filter expression"</label>
                <div class="fk-input-row">
                    <input id="fk-advanced-filter" type="text" class="fk-mono" spellcheck="false"
                        placeholder="and(gte(created_at,2026-01-01),eq(status,active))"
                        aria-describedby="fk-advanced-hint" prop:value=move || advanced.get()
                        on:input=move |ev| advanced.set(event_target_value(&ev)) />
                    <button type="submit">"Apply"</button>
                </div>
                <span id="fk-advanced-hint" class="fk-hint">
                    "Foundry's list grammar: eq, neq, gt, lt, gte, lte, contains, between, in, and, or, not, is_null, is_not_null, at, and the casts float, int, text, timestamp, date."
                </span>
            </form>
        </Show>
    }
}

/// The advanced filter's error, pointing at the place it went wrong.
#[component]
fn AdvancedError(text: String, position: usize, message: String) -> impl IntoView {
    let at = position.min(text.len());
    let at = (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = text[..at].to_owned();
    let rest = &text[at..];
    let next = rest.chars().next().map(|c| c.len_utf8()).unwrap_or(0);
    let marked = if next == 0 {
        "␣".to_owned()
    } else {
        rest[..next].to_owned()
    };
    let after = rest[next..].to_owned();
    view! {
        <div class="fk-alert fk-error" role="alert">
            <p class="fk-alert-title">"The filter expression does not parse"</p>
            <p>{format::capitalise(&message)} "."</p>
            <pre aria-hidden="true">{before}<mark>{marked}</mark>{after}</pre>
            <p>"Nothing was sent. Correct the expression and apply it again."</p>
        </div>
    }
}

/// What the listing area shows.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    /// The filter cannot be sent; the filters say why.
    Nothing,
    Failed(ApiError),
    Table,
}

/// A listing's page as the table shows it, worked out once per listing. Compared row by row,
/// so a cell is touched only when what it shows changed.
#[derive(Debug, Clone, PartialEq)]
struct PageView {
    /// How the page was made, in words; a warning when the rows are not in the filter and
    /// sort asked for (`columns.sorted` is false: `ListMode::Unfiltered`, when no header may
    /// claim an order).
    mode: String,
    label: String,
    total: u64,
    columns: Columns,
    /// Shared, so a row's own memo takes it without a copy.
    rows: Vec<Arc<RowView>>,
}

impl PageView {
    fn of(listing: &Listing) -> Self {
        let now = now();
        let parents = with_relatives(listing, |tokens, _| {
            let ids = listing
                .page
                .items
                .iter()
                .filter_map(|t| t.parent_token_id.as_deref());
            names_of(ids, tokens)
        });
        let page = &listing.page;
        let mode = match &listing.held {
            Some(tokens) => format!(
                "{} Working on the {} fetched; Refresh fetches them again.",
                listing.mode.describe(),
                format::count(tokens.len() as u64, "token", "tokens"),
            ),
            None => listing.mode.describe(),
        };
        let sorted = !matches!(listing.mode, ListMode::Unfiltered { .. });
        let lineage = page
            .items
            .iter()
            .any(|t| t.kind.is_some() || t.parent_token_id.is_some());
        let last_used = page
            .items
            .iter()
            .any(|t| t.last_used.is_some() || t.status.is_some());
        let rows = page
            .items
            .iter()
            .map(|token| {
                let status = token.status_at(now);
                Arc::new(RowView {
                    expiring: status == TokenStatus::Active
                        && token
                            .expires_at
                            .is_some_and(|e| format::expires_within(e, now, 7)),
                    kind: token
                        .token_type
                        .clone()
                        .or_else(|| token.kind.as_ref().map(|k| k.as_str().to_owned()))
                        .map_or_else(|| "—".to_owned(), |k| format::token_type_words(&k)),
                    parent: token
                        .parent_token_id
                        .as_ref()
                        .map(|id| (id.clone(), parents.get(id).cloned())),
                    restrictions: lineage.then(|| {
                        let r = Restrictions::of_token(token);
                        (r.summary(), r.raw().join("\n"))
                    }),
                    id: token.id.clone(),
                    name: token.name.clone(),
                    created: Some(TimeText::at(token.created_at, now)),
                    expires: token.expires_at.map(|at| TimeText::at(at, now)),
                    last_used: token.last_used.map(|at| TimeText::at(at, now)),
                    badge: badge_class(&status),
                    status: String::from(status),
                })
            })
            .collect();
        PageView {
            mode,
            label: range_label(page.offset, page.count, page.total),
            total: page.total,
            columns: Columns {
                last_used,
                lineage,
                sorted,
            },
            rows,
        }
    }
}

/// The listing area while a page is on show: the mode line, the counts, the table and the
/// pager, each bound to the page's parts, so a new page changes text, not elements.
#[component]
fn ListingArea(
    page: Memo<Option<PageView>>,
    table: RwSignal<TableState>,
    copied: RwSignal<Option<String>>,
    on_copy: Callback<(String, String)>,
    on_details: Callback<String>,
) -> impl IntoView {
    let part = move |f: fn(&PageView) -> String| {
        move || page.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    let label = Signal::derive(part(|p| p.label.clone()));
    let total = Signal::derive(move || page.with(|p| p.as_ref().map_or(0, |p| p.total)));
    let sorted = Memo::new(move |_| page.with(|p| p.as_ref().is_none_or(|p| p.columns.sorted)));
    // A span, not the line itself: rows already bind spans, so this costs no new node-ref code.
    let top = NodeRef::<leptos::html::Span>::new();
    // Another page, filter or sort starts from its first row: the rows' box (the element after
    // the count's line) scrolls back to its top, and when the list's top has scrolled out of
    // view above (a pager clicked under a phone's column of cards), the page scrolls back to
    // it. Never down: the search field stays where the person is typing.
    Effect::new(move |seen: Option<()>| {
        table.track();
        if let (Some(()), Some(top)) = (seen, top.get_untracked()) {
            if let Some(rows) = top
                .parent_element()
                .and_then(|line| line.parent_element())
                .and_then(|head| head.next_element_sibling())
            {
                rows.set_scroll_top(0);
            }
            if above_view(&top) {
                top.scroll_into_view();
            }
        }
    });
    view! {
        // Rows that ignore what the person asked for are said so plainly, in a warning's box,
        // not in the grey line under the filters.
        <p class=move || if sorted.get() { "fk-hint" } else { "fk-alert fk-warning" } role="status">{part(|p| p.mode.clone())}</p>
        <div class="fk-table-top">
            <p class="fk-count"><span node_ref=top>{label}</span></p>
            <p class="fk-hint" role="status">{move || copied.get()}</p>
        </div>
        <TokenTable page=page table=table on_copy=on_copy on_details=on_details />
        <Pager table=table total=total label=label />
    }
}

#[component]
fn TokenTable(
    page: Memo<Option<PageView>>,
    table: RwSignal<TableState>,
    on_copy: Callback<(String, String)>,
    on_details: Callback<String>,
) -> impl IntoView {
    let count = Memo::new(move |_| page.with(|p| p.as_ref().map_or(0, |p| p.rows.len())));
    let empty = Memo::new(move |_| count.get() == 0);
    let columns =
        Memo::new(move |_| page.with(|p| p.as_ref().map(|p| p.columns).unwrap_or_default()));
    move || {
        if empty.get() {
            return view! {
                <div class="fk-alert" role="status">
                    <p class="fk-alert-title">"No tokens match"</p>
                    <p>"Nothing matches these filters."</p>
                    <button type="button" on:click=move |_| table.set(TableState { sort: table.get_untracked().sort, ..TableState::default() })>
                        "Clear filters"
                    </button>
                </div>
            }
            .into_any();
        }
        view! {
            // Scrolls on its own (both ways) so the header row stays in view above the rows.
            <div class="fk-table-wrap" tabindex="0" role="group" aria-label="Token rows">
                <table class="fk-token-table fk-cards">
                    <caption class="fk-visually-hidden">"Tokens. Click a column header to sort; shift-click to sort by several columns."</caption>
                    <thead>
                        <tr>
                            {move || {
                                let Columns { last_used, lineage, sorted } = columns.get();
                                view! {
                                    {Column::ALL
                                        .into_iter()
                                        .filter(|c| *c != Column::LastUsed || last_used)
                                        .map(|column| view! { <SortHeader column=column table=table sorted=sorted /> })
                                        .collect_view()}
                                    {lineage.then(|| view! { <th scope="col" class="fk-col-plain">"Parent"</th><th scope="col" class="fk-col-plain">"Restrictions"</th> })}
                                }
                            }}
                            <th scope="col" class="fk-col-plain fk-col-actions">"Actions"</th>
                        </tr>
                    </thead>
                    // One row per place on the page, kept from page to page: a new page sets
                    // their cells' text and attributes instead of building rows again.
                    <tbody>
                        <For each=move || 0..count.get() key=|i| *i let:i>
                            <TokenRow row=Memo::new(move |_| page.with(|p| p.as_ref().and_then(|p| p.rows.get(i).cloned()))) columns=columns on_copy=on_copy on_details=on_details />
                        </For>
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    }
}

/// The shape of the table while its first page is on its way: rows of placeholder bars, with
/// a status line for screen readers.
#[component]
fn TableSkeleton() -> impl IntoView {
    view! {
        <div class="fk-skeleton-table" aria-busy="true">
            <p role="status" class="fk-hint">"Loading tokens…"</p>
            <div class="fk-skeleton-rows" aria-hidden="true">
                <div class="fk-skeleton-row fk-skeleton-head">
                    {(0..5).map(|_| view! { <span class="fk-skeleton fk-skeleton-cell"></span> }).collect_view()}
                </div>
                {(0..6).map(|_| view! {
                    <div class="fk-skeleton-row">
                        <span class="fk-skeleton fk-skeleton-cell fk-skeleton-wide"></span>
                        {(0..4).map(|_| view! { <span class="fk-skeleton fk-skeleton-cell"></span> }).collect_view()}
                    </div>
                }).collect_view()}
            </div>
        </div>
    }
}

/// Among which tokens a token's relatives were looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every token the listing fetched (a browser-side listing).
    Fetched(usize),
    /// The page's tokens only (the server filtered and paged).
    Page(usize),
}

#[derive(Debug, Clone)]
struct Details {
    token: Token,
    family: Family,
    scope: Scope,
}

/// `f` applied to the tokens a token's relatives are looked up among: every token fetched
/// when the listing holds them, else the page's.
fn with_relatives<R>(listing: &Listing, f: impl FnOnce(&[Token], Scope) -> R) -> R {
    match &listing.held {
        Some(held) => f(held.tokens(), Scope::Fetched(held.len())),
        None => f(&listing.page.items, Scope::Page(listing.page.items.len())),
    }
}

#[component]
fn DetailsDialog(
    details: RwSignal<Option<Details>>,
    on_copy: Callback<(String, String)>,
) -> impl IntoView {
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        let Some(el) = dialog.get() else { return };
        let open = details.with(Option::is_some);
        if open && !el.open() {
            let _ = el.show_modal();
        } else if !open && el.open() {
            el.close();
        }
    });
    view! {
        <dialog node_ref=dialog class="fk-details" aria-labelledby="fk-details-title" on:close=move |_| details.set(None)>
            {move || details.get().map(|d| view! { <TokenDetails details=d on_copy=on_copy /> })}
            <div class="fk-actions">
                <button type="button" on:click=move |_| details.set(None)>"Close"</button>
            </div>
        </dialog>
    }
}

/// One token: its facts, restrictions in words, parent, children and lineage.
#[component]
fn TokenDetails(details: Details, on_copy: Callback<(String, String)>) -> impl IntoView {
    let Details {
        token,
        family,
        scope,
    } = details;
    let status = token.status_at(now());
    let kind = token
        .token_type
        .clone()
        .or_else(|| token.kind.as_ref().map(|k| k.as_str().to_owned()))
        .map(|k| format::token_type_words(&k))
        .unwrap_or_else(|| "—".to_owned());
    let restrictions = Restrictions::of_token(&token);
    let copy = (token.id.clone(), token.name.clone());
    // An API whose list has no lineage (the seed shape) gets no Lineage section: its parent
    // and children already say so, and a note on where relatives are looked up would be noise.
    let (parent, children, lineage) = match family {
        Family::NotListed => (not_listed(), not_listed(), None),
        Family::Listed {
            parent,
            children,
            tree,
        } => (
            match parent {
                None => view! { <span>"none: a main key"</span> }.into_any(),
                Some(parent) => relative_view(parent),
            },
            children_view(children),
            Some(view! {
                <h3 id="fk-lineage-title">"Lineage"</h3>
                <ul class="fk-tree" aria-labelledby="fk-lineage-title">{tree_view(tree)}</ul>
                <p class="fk-hint">{scope_note(scope)}</p>
            }),
        ),
    };
    view! {
        <p class="fk-hint fk-details-kicker">"Token details"</p>
        <h2 id="fk-details-title">{token.name.clone()}</h2>
        <dl class="fk-facts">
            <dt>"Token id"</dt>
            <dd>
                <code>{token.id.clone()}</code> " "
                <button type="button" class="fk-link" on:click=move |_| on_copy.run(copy.clone())>"Copy id"</button>
            </dd>
            <dt>"Status"</dt>
            <dd><span class=badge_class(&status)>{status.as_str().to_owned()}</span></dd>
            <dt>"Type"</dt>
            <dd>{kind}</dd>
            <dt>"Created"</dt>
            <dd><When at=token.created_at /></dd>
            <dt>"Expires"</dt>
            <dd><MaybeWhen at=token.expires_at none="never" /></dd>
            <dt>"Restrictions"</dt>
            <dd><RestrictionsCell restrictions=restrictions /></dd>
            <dt>"Parent"</dt>
            <dd>{parent}</dd>
            <dt>"Children"</dt>
            <dd>{children}</dd>
        </dl>
        {lineage}
    }
}

/// Where a token's parent and children were looked for.
fn scope_note(scope: Scope) -> String {
    match scope {
        Scope::Fetched(n) => format!(
            "Parent and children are looked up among the {} fetched.",
            format::count(n as u64, "token", "tokens")
        ),
        Scope::Page(n) => format!(
            "Parent and children are looked up among the {} on this page only.",
            format::count(n as u64, "token", "tokens")
        ),
    }
}

fn not_listed() -> AnyView {
    view! { <span class="fk-muted">"not listed by this API"</span> }.into_any()
}

fn relative_view(relative: Relative) -> AnyView {
    match relative.name {
        Some(name) => view! {
            <span>{name}</span> " " <span class="fk-id fk-mono">{relative.id}</span>
        }
        .into_any(),
        None => view! {
            <span class="fk-mono">{relative.id}</span> " "
            <span class="fk-muted">"(not among the tokens listed here)"</span>
        }
        .into_any(),
    }
}

fn children_view(children: Vec<Relative>) -> AnyView {
    if children.is_empty() {
        return view! { <span>"none"</span> }.into_any();
    }
    let more = children.len().saturating_sub(TREE_CHILDREN);
    view! {
        <span class="fk-hint">{format::count(children.len() as u64, "restricted token made from it", "restricted tokens made from it")}</span>
        <ul class="fk-plain-list">
            {children.into_iter().take(TREE_CHILDREN).map(|child| view! { <li>{relative_view(child)}</li> }).collect_view()}
            {(more > 0).then(|| view! { <li class="fk-muted">{format!("and {} more", format::grouped(more as u64))}</li> })}
        </ul>
    }
    .into_any()
}

/// A lineage line and the lines under it, as nested lists.
fn tree_view(node: TreeNode) -> AnyView {
    let TreeNode {
        token,
        current,
        descendants,
        children,
        more,
    } = node;
    let label = token
        .name
        .unwrap_or_else(|| format!("{} (not among the tokens listed here)", token.id));
    // Below a line whose children are not drawn, how many there are at any depth.
    let below = (children.is_empty() && descendants > 0).then(|| {
        format!(
            " — {} below",
            format::count(descendants as u64, "token", "tokens")
        )
    });
    let nested = !children.is_empty() || more > 0;
    view! {
        <li aria-current=current.then_some("true")>
            <span class=if current { "fk-tree-node fk-tree-current" } else { "fk-tree-node" }>{label}</span>
            {current.then(|| view! { <span class="fk-hint">" (this token)"</span> })}
            {below.map(|text| view! { <span class="fk-hint">{text}</span> })}
            {nested.then(|| view! {
                <ul>
                    {children.into_iter().map(tree_view).collect_view()}
                    {(more > 0).then(|| view! { <li class="fk-muted">{format!("and {} more", format::grouped(more as u64))}</li> })}
                </ul>
            })}
        </li>
    }
    .into_any()
}

/// A token's restrictions in words; what this app cannot put in words is one click away, as
/// the API sent it, so a restricted token never looks unrestricted.
#[component]
fn RestrictionsCell(restrictions: Restrictions) -> impl IntoView {
    let raw = restrictions.raw();
    view! {
        <span class="fk-restrictions">{restrictions.summary()}</span>
        {(!raw.is_empty()).then(|| view! {
            <details class="fk-raw">
                <summary>"As sent by the API"</summary>
                <pre>{raw.join("\n")}</pre>
            </details>
        })}
    }
}

#[component]
fn SortHeader(column: Column, table: RwSignal<TableState>, sorted: bool) -> impl IntoView {
    let rank = move || table.with(|t| t.sort_rank(column)).filter(|_| sorted);
    let aria_sort = move || match rank() {
        Some((1, false)) => "ascending",
        Some((1, true)) => "descending",
        _ => "none",
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <button type="button" class="fk-sort" on:click=move |ev| table.update(|t| t.click_header(column, ev.shift_key()))>
                {column.label()}
                <span class="fk-sort-mark">{move || match rank() {
                    Some((r, desc)) => format!("{}{}", if desc { "▼" } else { "▲" }, if table.with(|t| t.sort.len()) > 1 { r.to_string() } else { String::new() }),
                    None => String::new(),
                }}</span>
            </button>
        </th>
    }
}

#[component]
fn Pager(table: RwSignal<TableState>, total: Signal<u64>, label: Signal<String>) -> impl IntoView {
    let pages = move || page_count(total.get(), table.with(|t| t.page_size));
    let page = move || table.with(|t| t.page);
    let go = move |to: u64| table.update(|t| t.page = to);
    view! {
        <nav class="fk-pager" aria-label="Token pages">
            <span role="status">{label}</span>
            <div class="fk-field">
                <label for="fk-page-size">"Rows per page"</label>
                <select id="fk-page-size" on:change=move |ev| {
                    if let Ok(size) = event_target_value(&ev).parse() {
                        table.update(|t| { t.page_size = size; t.reset_page(); });
                    }
                }>
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=move || table.with(|t| t.page_size == size)>{size}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="fk-actions">
                <button type="button" on:click=move |_| go(0) prop:disabled=move || page() == 0>"First"</button>
                <button type="button" on:click=move |_| go(page().saturating_sub(1)) prop:disabled=move || page() == 0>"Previous"</button>
                <span>{move || format!("Page {} of {}", page() + 1, pages())}</span>
                <button type="button" on:click=move |_| go(page() + 1) prop:disabled=move || { page() + 1 >= pages() }>"Next"</button>
                <button type="button" on:click=move |_| go(pages() - 1) prop:disabled=move || { page() + 1 >= pages() }>"Last"</button>
            </div>
        </nav>
    }
}

/// Whether an element's top edge is above the viewport (`getBoundingClientRect().top < 0`).
/// Read through `Reflect`: turning on web-sys's `DomRect` feature for this grew the first
/// screen's module by 0.2 kB gzip, though it never calls it.
fn above_view(element: &web_sys::Element) -> bool {
    use wasm_bindgen::{JsCast, JsValue};
    let get = |target: &JsValue, name: &str| js_sys::Reflect::get(target, &JsValue::from_str(name));
    get(element, "getBoundingClientRect")
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(element).ok())
        .and_then(|rect| get(&rect, "top").ok())
        .and_then(|top| top.as_f64())
        .is_some_and(|top| top < 0.0)
}
