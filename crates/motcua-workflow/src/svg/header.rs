//! The start of the picture: its size, an accessible title and description (what a screen reader
//! says about the process and its current step), and the arrowheads every flow refers to.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::geometry::ViewBox;
use super::kind::State;
use super::text::{N, clip, esc};
use super::{CURRENT, DONE_INK, INK, PAPER, Painter};
use crate::model::Document;

impl Painter<'_> {
    pub(super) fn header(&mut self, doc: &Document, shapes: usize, edges: usize, v: ViewBox) {
        let p = self.ctx.prefix.clone();
        let title = self.title(doc);
        let desc = self.description(doc, shapes, edges);
        w!(
            self.out,
            concat!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" role="img" "#,
                r#"aria-labelledby="{p}-title" aria-describedby="{p}-desc" "#,
                r#"width="{w}" height="{h}" viewBox="{x} {y} {w} {h}" "#,
                r#"font-family="sans-serif" font-size="12">"#,
                "\n<title id=\"{p}-title\">{title}</title>\n<desc id=\"{p}-desc\">{desc}</desc>\n"
            ),
            p = p,
            w = N(v.w),
            h = N(v.h),
            x = N(v.x),
            y = N(v.y),
            title = esc(&clip(&title)),
            desc = esc(&desc),
        );
        self.defs();
        w!(self.out, "<g stroke-linejoin=\"round\">\n");
    }

    fn title(&self, doc: &Document) -> String {
        if let Some(t) = self.ctx.title.map(str::trim).filter(|t| !t.is_empty()) {
            return t.to_string();
        }
        if let Some(p) = doc.processes.iter().find(|p| !p.name.trim().is_empty()) {
            return p.name.trim().to_string();
        }
        let pools: Vec<&str> = doc
            .participants
            .iter()
            .map(|p| p.name.trim())
            .filter(|n| !n.is_empty())
            .collect();
        if !pools.is_empty() {
            return pools.join(", ");
        }
        if let Some(p) = doc
            .elements
            .iter()
            .find(|e| e.tag == "process" && !e.name.is_empty())
        {
            return p.name.trim().to_string();
        }
        "Sơ đồ quy trình BPMN".to_string()
    }

    fn description(&self, doc: &Document, shapes: usize, edges: usize) -> String {
        let mut d = format!("Sơ đồ BPMN gồm {shapes} hình và {edges} đường nối.");
        let Some(diagram) = doc.diagram.as_ref() else {
            return d;
        };
        let mut seen = HashSet::new();
        let mut current = Vec::new();
        let mut done = 0usize;
        for s in &diagram.shapes {
            if !seen.insert(s.element.as_str()) {
                continue;
            }
            match self.ctx.state(&s.element) {
                State::Current => current.push(self.ctx.name_of(&s.element)),
                State::Done => done += 1,
                State::Normal => {}
            }
        }
        if !current.is_empty() {
            w!(d, " Đang xử lý: {}.", current.join("; "));
        }
        if done > 0 {
            w!(d, " Đã hoàn thành {done} bước.");
        }
        d
    }

    fn defs(&mut self) {
        let p = &self.ctx.prefix;
        w!(
            self.out,
            concat!(
                "<defs>\n",
                r#"<marker id="{p}-seq" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-seq-current" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 3.5L12 10L0 16.5Z" fill="{cur}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-seq-done" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{done}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-open" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 5L11 10L1 15Z" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-circle" viewBox="0 0 20 20" refX="6" refY="6" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><circle cx="6" cy="6" r="3.5" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n",
                r#"<marker id="{p}-line" viewBox="0 0 20 20" refX="11" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M1 4L11 10L1 16" fill="none" stroke="{ink}" stroke-width="1.5"/></marker>"#,
                "\n",
                r#"<marker id="{p}-cond" viewBox="0 0 20 20" refX="0" refY="10" markerWidth="20" markerHeight="20" markerUnits="userSpaceOnUse" orient="auto"><path d="M0 10L8 6L16 10L8 14Z" fill="{paper}" stroke="{ink}"/></marker>"#,
                "\n</defs>\n"
            ),
            p = p,
            ink = INK,
            cur = CURRENT,
            done = DONE_INK,
            paper = PAPER,
        );
    }
}
