// Names the calling thread, as `top -H`, `ps -L` and profilers show it: an operator sees which
// stage of the pipeline (the importer, the log's writer, the projectors) is busy. Linux keeps
// 15 characters; longer names are cut there.
#pragma once

namespace helpdesk {

void NameThisThread(const char* name);

}  // namespace helpdesk
