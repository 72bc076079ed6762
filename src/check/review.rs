//! `review-overdue`: the last review is older than the policy's review period
//! (`review every N days|months|years`), measured against `--today`.

use super::Options;
use crate::codes::Code;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::graph::Graph;

pub fn review_overdue(g: &Graph, opts: &Options, diags: &mut Vec<Diagnostic>) {
    let (Some(period), Some(today)) = (g.header.review_every, opts.today) else {
        return;
    };
    let last = g
        .header
        .reviewed
        .as_deref()
        .or(g.header.implemented.as_deref());
    let Some(last) = last.and_then(|d| Date::parse(d).ok()) else {
        return;
    };
    // A period past any calendar never ends.
    let Some(due) = period.after(last) else {
        return;
    };
    if today > due {
        diags.push(
            Diagnostic::new(
                Code::ReviewOverdue,
                format!("the next review was due on {due} (last review {last}, every {period})"),
            )
            .at(
                g.header.reviewed_span.unwrap_or(g.header.span),
                format!("{} days ago", last.days_until(today)),
            )
            .with_help("review the procedure with its owner, then update `reviewed` in the header"),
        );
    }
}
