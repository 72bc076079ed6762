//! A code lens on each scenario with its result: the scenario is run through
//! the engine when the editor asks, so the lens says whether it passes and,
//! if not, why.

use super::text::Lines;
use crate::scenarios::{Mismatch, ScenarioResult};
use lsp_types::{CodeLens, Command};

/// The command a lens carries: the client may run it to see the result
/// again (`workspace/executeCommand`).
pub const RUN_SCENARIO: &str = "sopc.runScenario";

/// One lens per scenario of `text`, above its `scenario` line.
pub fn scenario_lenses(text: &str, uri: &str) -> Vec<CodeLens> {
    let parsed = crate::syntax::parse(text);
    let lines = Lines::new(text);
    let results = run(text);
    parsed
        .policy
        .scenarios
        .iter()
        .enumerate()
        .map(|(k, sc)| {
            let title = match &results {
                Err(why) => format!("scenario not run: {why}"),
                Ok(r) => match r.get(k) {
                    Some(r) if r.passed() => "✓ passes".to_string(),
                    Some(r) => format!("✗ fails: {}", first_failure(r)),
                    None => "scenario not run: it has errors".to_string(),
                },
            };
            let mut range = lines.range(sc.span);
            range.end = range.start;
            CodeLens {
                range,
                command: Some(Command {
                    title,
                    command: RUN_SCENARIO.into(),
                    arguments: Some(vec![uri.into(), sc.name.value().into()]),
                }),
                data: None,
            }
        })
        .collect()
}

/// Every scenario's result, in the order written; an error when the policy
/// does not compile.
pub fn run(text: &str) -> Result<Vec<ScenarioResult>, String> {
    let graph = crate::compile(text).map_err(|d| {
        let errors = d.iter().filter(|d| d.is_error()).count();
        format!(
            "the policy has {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )
    })?;
    let engine = crate::Engine::new(graph).map_err(|e| e.to_string())?;
    Ok(crate::scenarios::run(&engine).results)
}

fn first_failure(r: &ScenarioResult) -> String {
    match r.failures.first() {
        Some(Mismatch::Unanswered { fact, .. }) => format!("no answer for `{fact}`"),
        Some(Mismatch::Outcome { expected, actual }) => {
            format!("ends {actual}, expected {expected}")
        }
        Some(Mismatch::Steps { .. }) => "the steps in `visits` are not all visited".into(),
        Some(Mismatch::Unused { answers }) => format!(
            "{} answer{} never asked",
            answers.len(),
            if answers.len() == 1 { "" } else { "s" }
        ),
        Some(Mismatch::NotRaised { rule, .. }) => format!("`anytime {rule}` not raised"),
        None => "no failure".into(),
    }
}
