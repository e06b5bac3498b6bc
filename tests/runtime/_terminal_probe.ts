// Prints whether this process's stdin is a terminal, as casher's runtime seam sees it.
import { isTerminal } from "../../lib/runtime/terminal.ts";
console.log(String(isTerminal(0)));
