from .knowledge import knowledge_point_check, knowledge_point_create, knowledge_point_update
from .search_index import search_document_refresh, search_document_remove, search_documents_rebuild

__all__ = [
    "knowledge_point_check",
    "knowledge_point_create",
    "knowledge_point_update",
    "search_document_refresh",
    "search_document_remove",
    "search_documents_rebuild",
]
