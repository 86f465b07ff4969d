"""The JSON API at /api/v1/. Each app contributes a router; authentication is by API key."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="法制学习考试认证平台 API",
    version="1",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
