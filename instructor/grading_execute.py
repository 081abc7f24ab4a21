"""nbgrader's Execute step, made robust to submissions that kill or hang their kernel.

nbgrader (0.9) gives up on a whole notebook when its kernel dies (``sys.exit`` is fine, but
``os._exit``, a segfault or the memory limit kill it), so every earlier test's points are lost;
a cell that ignores the interrupt after a timeout makes every later cell wait for its own timeout.
:class:`GradingExecute` instead

* gives the cell during which the kernel died an error output saying so, and every later code cell
  an error output "not run" - so tests before the crash keep their points and tests after it
  score 0, and the notebook is still graded;
* after a timeout, waits a few seconds for the interrupted kernel to answer; if it does not, the
  kernel is shut down and the rest of the notebook is "not run" in the same way (the cell's last
  outputs are awaited only briefly then, not for ``iopub_timeout``: a kernel that ignores the
  interrupt would otherwise spin a core for that long too);
* caps the output kept per cell (a print loop cannot fill the grader's memory).

Selected with ``Autograde.autograde_preprocessors`` by ``make grade``.
"""

from __future__ import annotations

import asyncio
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from jupyter_core.utils import run_sync
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Integer

#: Text of the error outputs added by this module (``make grade`` reports them).
KERNEL_DIED = "the kernel died while running this cell (os._exit, a crash, or the memory limit)"
NOT_RUN = "not run: the kernel stopped in an earlier cell"
STUCK = "the cell did not stop after the timeout and an interrupt; the kernel was shut down"


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class GradingExecute(Execute):
    interrupt_grace = Integer(10, help="seconds an interrupted kernel has to answer").tag(config=True)
    max_output_chars = Integer(2_000_000, help="output characters (plots included) kept per cell").tag(config=True)
    interrupted_iopub_timeout = Integer(2, help="seconds to wait for an interrupted cell's last outputs").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stopped = ""
        self._chars, self._truncated = 0, set()

    def preprocess(self, nb, resources=None, km=None):
        self._stopped = ""
        return super().preprocess(nb, resources, km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self._stopped:
            cell.outputs = [error_output("NotRun", self._stopped)]
            return cell
        self._chars, self._truncated = 0, set()
        iopub_timeout = self.iopub_timeout
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs = [*cell.get("outputs", [])[:20], error_output("DeadKernelError", KERNEL_DIED)]
            self._stopped = f"{NOT_RUN} (cell {cell_index}: kernel died)"
            return cell
        except CellTimeoutError as err:  # a reply came (or was faked after a timeout), the output did not
            cell.outputs = [*cell.get("outputs", [])[:20], error_output("CellTimeoutError", str(err)[:200])]
        finally:
            self.iopub_timeout = iopub_timeout
        if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs) and not await self._answers():
            cell.outputs.append(error_output("CellTimeoutError", STUCK))
            self._stopped = f"{NOT_RUN} (cell {cell_index}: did not stop after the timeout)"
            await self._kill()
        return cell

    execute_cell = run_sync(async_execute_cell)  # the base class binds its own coroutine

    async def _async_handle_timeout(self, timeout, cell=None):
        """Interrupt (nbclient), then wait for the cell's last outputs only briefly: whether the kernel
        stopped is for :meth:`_answers` to find out, within ``interrupt_grace``."""
        self.iopub_timeout = min(self.iopub_timeout, self.interrupted_iopub_timeout)
        return await super()._async_handle_timeout(timeout, cell)

    async def _answers(self) -> bool:
        """True when the kernel replies to a kernel_info request within the grace period."""
        msg_id = self.kc.kernel_info()
        deadline = time.monotonic() + self.interrupt_grace
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await asyncio.wait_for(self.kc.shell_channel.get_msg(timeout=left), left + 1)
            except Exception:  # queue.Empty or a timeout: no answer
                return False
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    async def _kill(self) -> None:
        try:
            await self.km.shutdown_kernel(now=True)
        except Exception as err:  # already gone
            self.log.warning("could not shut the kernel down: %s", err)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        self._chars += len(str(content.get("text", ""))) + len(str(content.get("data", "")))
        if self._chars <= self.max_output_chars or msg.get("msg_type") == "error":
            return super().output(outs, msg, display_id, cell_index)
        # Over the cap: keep a note (once per stream), never drop an error or the fact that
        # something went to stderr - nbgrader scores a test cell 0 for either.
        name = content.get("name", "stdout")
        if name not in self._truncated:
            self._truncated.add(name)
            outs.append(NotebookNode(output_type="stream", name=name, text=(
                f"\n[{name} truncated by the grader after {self.max_output_chars} characters]\n")))
        return None
