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
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(HERE, ".nbgrader", "gradebook.db")
# Exchange for JupyterHub courses; inside the repo by default (nbgrader's default is /srv).
# Override with NNF_EXCHANGE_ROOT=/srv/nbgrader/exchange on a shared server.
c.Exchange.root = os.environ.get("NNF_EXCHANGE_ROOT", os.path.join(HERE, ".nbgrader", "exchange"))
try:
    os.makedirs(c.Exchange.root, exist_ok=True)
except OSError:  # a shared exchange the admin creates; nbgrader reports it if it is missing
    pass

# Per-cell timeout while validating/autograding: every cell of the course runs in well under
# 30 s on a 2-core laptop, so 60 s stops an infinite loop without failing slow machines.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# Files nbgrader copies with an assignment (none besides the notebook today).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
