"""nbgrader configuration for the student copy: what the Validate button reads (run `make lab`
from this folder; nbgrader reads this file from the current directory)."""
import os

c = get_config()  # noqa: F821 - injected by traitlets

c.CourseDirectory.course_id = "nn-foundations"
# The same per-cell time limit as at grading: a cell that runs longer is stopped.
c.Execute.timeout = int(os.environ.get("NNF_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
# On a JupyterHub with nbgrader's exchange, the administrator sets NNF_EXCHANGE_ROOT.
if os.environ.get("NNF_EXCHANGE_ROOT"):
    c.Exchange.root = os.environ["NNF_EXCHANGE_ROOT"]
