"""The labelme annotation format, owned in one place.

* :mod:`.format` — what a file is: version string, shape types, :class:`~.format.LabelmeShape`,
  :class:`~.format.LabelmeFile`, mask shapes;
* :mod:`.check` — reading a file and listing every problem as ``FILE: shape N (label): what is wrong``;
* :mod:`.write` — the one checked, atomic writer;
* :mod:`.rasterize` — labelme's own pixels for a shape, whichever labelme version is installed;
* :mod:`.image` — photos measured and read upright, as labelme shows them;
* :mod:`.folder` — a folder of labelme files.

Import from the submodules; this package re-exports nothing, so each name has one home.
"""
