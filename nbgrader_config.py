"""nbgrader settings for learn-gpt2. nbgrader reads this file from the directory it runs in."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "learn-gpt2"
# Layout: source/NN-slug/NN-slug.ipynb -> release/NN-slug/NN-slug.ipynb (learner copy).
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# A course-local exchange (git-ignored), so that release/collect and Formgrader work without
# root. A course on a shared JupyterHub points this at the hub's exchange instead. Grading hides
# this exchange and nbgrader's default one from learner code either way (coursetools.sandbox).
from pathlib import Path  # noqa: E402

c.Exchange.root = str(Path(__file__).resolve().parent / "exchange")

# The learner sees the signature and docstring; only the body between the markers is replaced.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Run every notebook in the standard Python kernel of the environment nbgrader runs in.
c.ExecutePreprocessor.kernel_name = "python3"
c.ExecutePreprocessor.timeout = 120          # seconds per cell
c.ExecutePreprocessor.interrupt_on_timeout = True
c.GuardedExecute.notebook_timeout = 600     # seconds for all cells of one notebook together

# A learner who deletes a test cell still gets it graded: nbgrader re-adds it from the
# gradebook instead of leaving the notebook as "needs manual grade".
c.OverwriteCells.add_missing_cells = True

# Learner code runs in a bubblewrap sandbox (no network, a private view of the filesystem) with
# a memory limit; see coursetools.sandbox. Self-checks on a learner's machine use mode "auto".
c.SandboxedKernelManager.mode = "required"
c.SandboxedKernelManager.memory_limit_mb = 4096
c.SandboxedKernelManager.file_size_limit_mb = 512

# Grading runs the answer and test cells, not the activities after the last test: they change
# no grade and take most of the run time (see coursetools.preprocessors.SkipActivities).
# This is nbgrader 0.9.6's default autograde list with SkipActivities inserted before Execute,
# and Execute replaced by GuardedExecute (a whole-notebook time budget; a dying kernel costs
# only the cells it did not run).
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput, SaveAutoGrades)

from coursetools.preprocessors import (  # noqa: E402
    GuardedExecute, HideHiddenTests, RestoreCellOrder, SkipActivities)

c.Autograde.autograde_preprocessors = [
    RestoreCellOrder, SkipActivities, GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

# Feedback shows learners which test failed and why, never a hidden test's code.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
