"""Memory and gradients: why LSTM and GRU exist. Four sections, one shown at a time:
1. vanishing and exploding gradients (the power argument, Jacobian norms, per-step norms of the app's models);
2. gradient clipping (loss and norm before / after clipping per update, a pinned diverging run);
3. long memory (the adding problem swept over T, cached results at once, one T trained on request);
4. the peephole LSTM (formula, parameter count, equality with LSTM at zero peepholes).
Each section that trains does so through ui.training with its own key ("grad_models", "grad_clip", "grad_memory").
"""

from __future__ import annotations

import streamlit as st

from ui.common import intro, lesson, setup_page, user_errors
from ui.views import grad_clip, grad_memory, grad_peephole, grad_power
from ui.views.grad_common import choice

t = setup_page("grad")
if lesson("grad") == "course":  # the home page's lesson path: the course's argument (gradient ~ powers of w_hh)
    st.session_state["grad.section"] = "gradients"
st.title(t("heading"))
intro(t("intro"), small=True)
SECTIONS = {
    "gradients": grad_power.section,
    "clipping": grad_clip.section,
    "memory": grad_memory.section,
    "peephole": grad_peephole.section,
}
with user_errors():
    section = choice(st, "grad.section", SECTIONS, t("section_label"), "section_{}", persist_state="session")
    st.divider()
    SECTIONS[section]()
