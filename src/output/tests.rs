//! Unit tests of the staging folder, the marker and the swap.

use super::*;

#[test]
fn paths_announced_late_are_listed_before_they_exist_and_sorted_at_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let staging = Staging::begin(&out, &["z.html", "a.html"]).unwrap();
    staging.put("a.html", b"a").unwrap();
    staging
        .announce(&["search/t-b.js", "search/index.js"])
        .unwrap();
    staging.put("search/t-b.js", b"b").unwrap();
    // A build killed here leaves a folder recognisably ours: every file
    // in it is listed.
    let dir_now = sibling(&out, "staging");
    ours_only(&dir_now).unwrap();
    let listed = std::fs::read_to_string(dir_now.join(MARKER)).unwrap();
    assert!(
        listed
            .ends_with("a.html\nz.html\n.journeydoc-output.next\nsearch/t-b.js\nsearch/index.js\n")
    );
    staging.put("search/index.js", b"i").unwrap();
    staging.put("z.html", b"z").unwrap();
    let written = staging.commit().unwrap();
    assert_eq!(written.files, 4);
    let marker = std::fs::read_to_string(out.join(MARKER)).unwrap();
    let lines: Vec<&str> = marker.lines().skip(1).collect();
    assert_eq!(
        lines,
        ["a.html", "search/index.js", "search/t-b.js", "z.html"],
        "the same marker as if every path had been known at the start"
    );
    ours_only(&out).unwrap();
    assert!(
        !out.join(MARKER_NEXT).exists(),
        "the replacement was renamed over the marker"
    );
}

#[test]
fn a_file_dropped_into_the_output_during_a_build_is_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let first = Staging::begin(&out, &["index.html", "journeys/a.html"]).unwrap();
    first.put("index.html", b"one").unwrap();
    first.put("journeys/a.html", b"a").unwrap();
    assert!(first.commit().unwrap().kept.is_empty());

    // The second build checks the output, then someone writes into it.
    let second = Staging::begin(&out, &["index.html"]).unwrap();
    second.put("index.html", b"two").unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::create_dir_all(out.join("journeys")).unwrap();
    std::fs::write(out.join("journeys/draft.txt"), "also mine").unwrap();
    std::fs::write(out.join("index.html"), "overwritten by hand").unwrap();
    let written = second.commit().unwrap();

    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "two"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("journeys/draft.txt")).unwrap(),
        "also mine"
    );
    assert!(
        !out.join("journeys/a.html").exists(),
        "our old page is gone"
    );
    assert_eq!(
        written.kept,
        [out.join("journeys/draft.txt"), out.join("notes.txt")]
    );
    // Nothing of the previous output is left beside it.
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["public"]);
    // The next build refuses the folder until the user moves them away.
    assert!(matches!(ours_only(&out), Err(OutputError::Refused { .. })));
}

#[test]
fn a_dropped_file_whose_path_the_new_output_takes_is_set_aside_not_lost() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let first = Staging::begin(&out, &["index.html"]).unwrap();
    first.put("index.html", b"one").unwrap();
    first.commit().unwrap();
    let second = Staging::begin(&out, &["index.html", "extra.html"]).unwrap();
    second.put("index.html", b"two").unwrap();
    second.put("extra.html", b"x").unwrap();
    std::fs::write(out.join("extra.html"), "hand-written").unwrap();
    let written = second.commit().unwrap();
    let aside = dir.path().join("public.journeydoc-kept/extra.html");
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), "hand-written");
    assert_eq!(written.kept, [aside]);
    assert_eq!(
        std::fs::read_to_string(out.join("extra.html")).unwrap(),
        "x"
    );
}
