"""The words of the pages, Vietnamese first, English by the switch (the `lang` cookie or ?lang=)."""

from __future__ import annotations

LANGS = ("vi", "en")

WORDS = {
    "vi": {
        "site": "Kế hoạch cải cách hành chính", "home": "Trang chủ", "plans": "Kế hoạch",
        "search": "Tìm kiếm", "search_hint": "cơ quan, văn bản, nội dung dòng, sản phẩm (có dấu hoặc không dấu)",
        "due": "Đến hạn theo quý", "overdue": "Quá hạn", "validation": "Kết quả kiểm tra", "queries": "Truy vấn",
        "sparql": "SPARQL", "ontology": "Bản thể học", "switch": "English", "findings": "phát hiện",
        "plan": "Kế hoạch", "year": "Năm", "areas": "Tóm tắt theo lĩnh vực", "area": "Lĩnh vực",
        "objectives": "Mục tiêu", "tasks": "Nhiệm vụ", "activities": "Hoạt động", "rows": "Dòng sản phẩm",
        "products": "Sản phẩm", "row": "Dòng", "lead": "Chủ trì", "coordinators": "Phối hợp",
        "timeframe": "Thời gian", "agency": "Cơ quan", "quarter": "Quý", "kind": "Loại sản phẩm",
        "filter": "Lọc", "all": "(tất cả)", "shown": "dòng được hiển thị", "objective": "Mục tiêu",
        "task": "Nhiệm vụ", "activity": "Hoạt động", "product": "Sản phẩm", "cells": "Các ô (nguyên văn)",
        "agencies": "Cơ quan", "lead_agency": "Cơ quan chủ trì", "coordinating_agency": "Cơ quan phối hợp",
        "citations": "Văn bản viện dẫn", "level": "Cấp", "citation": "Trích dẫn", "document": "Văn bản",
        "related": "Chuỗi sửa đổi", "source_line": "Dòng nguồn", "no_findings": "Không có phát hiện nào.",
        "begins": "Bắt đầu", "ends": "Kết thúc", "leads_coordinates": "Chủ trì và phối hợp",
        "role": "Vai trò", "involvement": "Cách tham gia", "through": "Qua nhóm", "history": "Lịch sử",
        "no_history": "Sổ đăng ký chưa ghi lịch sử của cơ quan này.", "members": "Thành viên",
        "member_of": "Thuộc nhóm", "rows_citing": "Các dòng viện dẫn (trực tiếp và qua sửa đổi)",
        "relation": "Quan hệ", "law_database": "Cơ sở dữ liệu pháp luật", "not_linked":
        "Chưa liên kết với cơ sở dữ liệu pháp luật (chạy `cchc-graph link`).", "title": "Tiêu đề",
        "date": "Ngày", "run": "Chạy", "download": "Tải xuống", "parameters": "Tham số",
        "required": "bắt buộc", "optional": "không bắt buộc", "repeatable": "có thể nhập nhiều giá trị",
        "answer": "Kết quả", "lines": "dòng", "page": "Trang", "previous": "Trang trước", "next": "Trang sau",
        "error": "Lỗi", "no_results": "Không tìm thấy kết quả.", "results_for": "Kết quả cho",
        "sparql_hint": "Chỉ truy vấn SELECT hoặc ASK (chỉ đọc); không dùng SERVICE; giới hạn thời gian",
        "triples": "Bộ ba", "predicate": "Thuộc tính", "object": "Giá trị", "formats": "Định dạng khác",
        "classes": "Lớp", "properties": "Thuộc tính", "label": "Nhãn", "definition": "Định nghĩa",
        "parent": "Lớp/thuộc tính cha", "domain": "Miền", "range": "Miền giá trị", "summary": "Tóm tắt", "description": "Mô tả",
        "print": "In trang này bằng lệnh in của trình duyệt.", "violation": "Lỗi", "warning": "Cảnh báo",
        "info": "Thông tin", "value": "giá trị", "total": "Tổng cộng", "not_found": "Không tìm thấy",
        "type": "Loại", "id": "Mã", "in_plan": "trong kế hoạch",
    },
    "en": {
        "site": "Administrative-reform plans", "home": "Home", "plans": "Plans",
        "search": "Search", "search_hint": "agencies, documents, row text, products (diacritics optional)",
        "due": "Due in a quarter", "overdue": "Overdue", "validation": "Validation report", "queries": "Queries",
        "sparql": "SPARQL", "ontology": "Ontology", "switch": "Tiếng Việt", "findings": "findings",
        "plan": "Plan", "year": "Year", "areas": "Summary by area", "area": "Area",
        "objectives": "Objectives", "tasks": "Tasks", "activities": "Activities", "rows": "Product rows",
        "products": "Products", "row": "Row", "lead": "Lead", "coordinators": "Coordinators",
        "timeframe": "Timeframe", "agency": "Agency", "quarter": "Quarter", "kind": "Product kind",
        "filter": "Filter", "all": "(all)", "shown": "rows shown", "objective": "Objective",
        "task": "Task", "activity": "Activity", "product": "Product", "cells": "Cells (verbatim)",
        "agencies": "Agencies", "lead_agency": "Lead agency", "coordinating_agency": "Coordinating agency",
        "citations": "Legal documents cited", "level": "Level", "citation": "Citation", "document": "Document",
        "related": "Amendment chain", "source_line": "Source line", "no_findings": "No findings.",
        "begins": "Begins", "ends": "Ends", "leads_coordinates": "Leads and coordinates",
        "role": "Role", "involvement": "Involvement", "through": "Through", "history": "History",
        "no_history": "The registry records no history for this agency.", "members": "Members",
        "member_of": "Member of", "rows_citing": "Rows citing it (directly and through amendments)",
        "relation": "Relation", "law_database": "Law database", "not_linked":
        "Not linked to a law database (run `cchc-graph link`).", "title": "Title",
        "date": "Date", "run": "Run", "download": "Download", "parameters": "Parameters",
        "required": "required", "optional": "optional", "repeatable": "several values allowed",
        "answer": "Answer", "lines": "lines", "page": "Page", "previous": "Previous", "next": "Next",
        "error": "Error", "no_results": "Nothing found.", "results_for": "Results for",
        "sparql_hint": "SELECT or ASK queries only (read-only); no SERVICE; time limit",
        "triples": "Triples", "predicate": "Property", "object": "Value", "formats": "Other formats",
        "classes": "Classes", "properties": "Properties", "label": "Label", "definition": "Definition",
        "parent": "Parents", "domain": "Domain", "range": "Range", "summary": "Summary", "description": "Description",
        "print": "Print this page with the browser's print command.", "violation": "Violation",
        "warning": "Warning", "info": "Info", "value": "value", "total": "Total", "not_found": "Not found",
        "type": "Type", "id": "Id", "in_plan": "in plan",
    },
}

# The `field` names of the row-detail query, as the row page shows them.
FIELDS = {
    "vi": {"area": "Lĩnh vực", "objective": "Mục tiêu", "task": "Nhiệm vụ", "activity": "Hoạt động",
           "product": "Sản phẩm", "lead": "Chủ trì", "lead agency": "Cơ quan chủ trì", "coordinators": "Phối hợp",
           "coordinating agency": "Cơ quan phối hợp", "timeframe": "Thời gian", "timeframe begins": "Bắt đầu",
           "timeframe ends": "Kết thúc", "cites": "Viện dẫn", "unresolved citation": "Viện dẫn chưa xác định",
           "source line": "Dòng nguồn"},
    "en": {},  # the field names themselves
}
