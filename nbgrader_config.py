"""nbgrader settings for learn-gpt2. nbgrader reads this file from the directory it runs in."""
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "learn-gpt2"
# Layout: source/NN-slug/NN-slug.ipynb -> release/NN-slug/NN-slug.ipynb (learner copy).
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# The learner sees the signature and docstring; only the body between the markers is replaced.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Run every notebook in the standard Python kernel of the environment nbgrader runs in.
c.ExecutePreprocessor.kernel_name = "python3"
c.ExecutePreprocessor.timeout = 120          # seconds per cell
c.ExecutePreprocessor.interrupt_on_timeout = True

# A learner who deletes a test cell still gets it graded: nbgrader re-adds it from the
# gradebook instead of leaving the notebook as "needs manual grade".
c.OverwriteCells.add_missing_cells = True
