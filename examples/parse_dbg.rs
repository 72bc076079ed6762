fn main() {
    let path = std::env::args().nth(1).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let p = sopc::parse(&text);
    for d in &p.diagnostics {
        print!("{}", sopc::diagnostic::render_human(d, &path, &text, false));
    }
    println!("ok={}", p.policy.is_some());
}
