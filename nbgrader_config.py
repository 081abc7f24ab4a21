"""nbgrader configuration for the course. nbgrader only reads this file from the current
working directory (or JUPYTER_CONFIG_PATH): run nbgrader commands from the repository root."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
c = get_config()  # noqa: F821 - injected by traitlets

c.CourseDirectory.course_id = "nn-foundations"
c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = "solutions"    # instructor source with solutions + hidden tests
c.CourseDirectory.release_directory = "notebooks"   # generated student version (committed)
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook lives inside the repo but is git-ignored (it holds student grades).
os.makedirs(os.path.join(HERE, ".nbgrader"), exist_ok=True)
# timeout: parallel grading (`make grade JOBS=N`) has several nbgrader processes writing to it.
# NNF_GRADEBOOK_URL (`make grade DB=...`) names a shared gradebook instead, e.g. PostgreSQL for
# several grading machines: postgresql+psycopg2://USER@HOST/DATABASE (README, "Grading a large class").
_url = os.environ.get("NNF_GRADEBOOK_URL", "").strip()
if _url.startswith(("postgresql://", "postgres://")):   # a bare scheme would need psycopg 3
    _url = "postgresql+psycopg2://" + _url.split("://", 1)[1]
c.CourseDirectory.db_url = (_url
                            or "sqlite:///" + os.path.join(HERE, ".nbgrader", "gradebook.db") + "?timeout=120")
# Exchange for JupyterHub courses; inside the repo by default (nbgrader's default is /srv).
# Override with NNF_EXCHANGE_ROOT=/srv/nbgrader/exchange on a shared server.
c.Exchange.root = os.environ.get("NNF_EXCHANGE_ROOT", os.path.join(HERE, ".nbgrader", "exchange"))
try:
    os.makedirs(c.Exchange.root, exist_ok=True)
except OSError:  # a shared exchange the admin creates; nbgrader reports it if it is missing
    pass

# Per-cell timeout while validating/autograding: every cell of the course runs in well under
# 30 s on a 2-core laptop, so 60 s stops an infinite loop without failing slow machines.
c.Execute.timeout = int(os.environ.get("NNF_CELL_TIMEOUT", "60"))  # tests use a shorter one
c.Execute.interrupt_on_timeout = True

# Files nbgrader copies with an assignment (none besides the notebook today).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# `make grade` (instructor/grade.py) sets NNF_GRADING_KERNEL: kernels then start through
# the sandbox wrapper with the grading guard, talk to nbgrader over Unix sockets (the sandbox has
# no network), and nbgrader's Execute step is replaced by one that survives dead or stuck kernels.
if os.environ.get("NNF_GRADING_KERNEL"):
    from nbgrader.converters.autograde import Autograde
    from nbgrader.preprocessors import Execute

    from instructor.grading_execute import GradingExecute

    c.Autograde.autograde_preprocessors = [GradingExecute if step is Execute else step
                                           for step in Autograde.class_traits()["autograde_preprocessors"].default()]
    c.Execute.kernel_name = os.environ["NNF_GRADING_KERNEL"]
    c.KernelManager.transport = "ipc"
    # nbclient waits 4 s for a cell's last output after its reply; IPython can take longer to
    # format a long traceback on a busy machine, and nbgrader would then drop the whole notebook.
    c.Execute.iopub_timeout = 30
    # The graded notebook is complete when its last cell has run: the kernel is killed, not asked to
    # exit (interpreter finalization with numpy, scipy and sklearn loaded costs ~0.3 CPU-s per student).
    c.Execute.shutdown_kernel = "immediate"
    # Unix sockets in this nbgrader process's private runtime directory (grade.py makes one).
    c.KernelManager.ip = os.path.join(os.environ["JUPYTER_RUNTIME_DIR"], "kernel")
