"""Every chapter's exercise checks, one package per chapter (format: coursekit.exercises.spec).

``checks/chN/__init__.py`` holds the chapter's ``NUMBER``, ``TITLE``, ``MODULE``, ``NOTEBOOK``
and ``CHECKS`` (its modules add the rest of the checks, and ``objectives.py`` the objects
its checks hand to the learner's code by ``Ref``); coursekit.exercises.chapters lists them.
"""
